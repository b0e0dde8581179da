"""Check what `sam build` produced before it can be deployed (run by `make sam-build`).

Per function: the unzipped size of its code plus its layers (Lambda's limit is 250 MB; ours is
60 MB, to keep cold starts and deployments small), and that what ships is what runs there:

- no boto3/botocore in any layer (the runtime provides them; a second copy shadows it);
- every compiled extension is built for the declared architecture (arm64: ELF machine AArch64);
- every installed wheel's tags fit the runtime: its CPython (template ``Runtime``) and the
  glibc of its Amazon Linux (``manylinux_2_34`` or older for python3.13 on Amazon Linux 2023);
- every Python module ships bytecode for the runtime's Python (Lambda's code directory is
  read-only: bytecode of another version is ignored and every module compiled at each cold start).

    python infra/build/check_build.py [.aws-sam/build]
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from typing import Any

from lambda_build import RUNTIME_PYTHON, lambda_platforms
from packaging.tags import Tag, compatible_tags, cpython_tags, parse_tag

from intake_local.template import PROJECT_ROOT, load_template

LIMIT_MB = 60.0
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer")
ELF_MACHINES = {"arm64": 0xB7, "x86_64": 0x3E}


def _files(root: Path) -> list[Path]:
    return [f for f in root.rglob("*") if f.is_file()]


def _elf_machine(path: Path) -> int | None:
    with path.open("rb") as handle:
        header = handle.read(20)
    if header[:4] != b"\x7fELF":
        return None
    return int.from_bytes(header[18:20], "little")


@cache
def runtime_tags() -> frozenset[Tag]:
    """The wheel tags the Lambda runtime accepts (what pip would accept running there)."""
    platforms = lambda_platforms()
    interpreter = "cp{}{}".format(*RUNTIME_PYTHON)
    return frozenset(
        [
            *cpython_tags(RUNTIME_PYTHON, platforms=platforms),
            *compatible_tags(RUNTIME_PYTHON, interpreter=interpreter, platforms=platforms),
        ]
    )


def _wheel_tags(wheel_file: Path) -> frozenset[Tag]:
    lines = wheel_file.read_text(encoding="utf-8").splitlines()
    return frozenset(
        tag for line in lines if line.startswith("Tag:") for tag in parse_tag(line[4:].strip())
    )


def _stale_bytecode(pyc: Path) -> bool:
    with pyc.open("rb") as handle:
        return handle.read(4) != importlib.util.MAGIC_NUMBER


def problems_in(root: Path, architecture: str) -> list[str]:
    """What is wrong with one built function or layer directory (bytecode is judged against
    this interpreter's, which ``runtime_problems`` holds to the template's runtime)."""
    found = []
    site = root / "python" if (root / "python").is_dir() else root
    cache_tag = sys.implementation.cache_tag
    for name in RUNTIME_PACKAGES:
        if (site / name).exists():
            found.append(f"{root.name}: ships {name} (the Lambda runtime provides it)")
    for file in _files(root):
        where = f"{root.name}: {file.relative_to(root)}"
        if ".so" in file.suffixes and _elf_machine(file) not in (None, ELF_MACHINES[architecture]):
            found.append(f"{where} is not built for {architecture}")
        if file.name == "WHEEL" and file.parent.name.endswith(".dist-info"):
            tags = _wheel_tags(file)
            if not tags & runtime_tags():
                shown = ", ".join(sorted(map(str, tags)))
                found.append(f"{where}: wheel tags {shown} do not fit the runtime")
        if file.suffix == ".py":
            cached = file.parent / "__pycache__" / f"{file.stem}.{cache_tag}.pyc"
            if not cached.is_file():
                found.append(f"{where} has no {cache_tag} bytecode")
        if file.suffix == ".pyc" and _stale_bytecode(file):
            found.append(f"{where} is bytecode of another Python than {cache_tag}")
    return found


def runtime_problems(runtime: str) -> list[str]:
    """The template's runtime, the build's target and this interpreter must be one Python."""
    wanted = "python{}.{}".format(*RUNTIME_PYTHON)
    running = "python{}.{}".format(*sys.version_info[:2])
    found = []
    if runtime != wanted:
        found.append(f"template Runtime {runtime}, but lambda_build.py builds for {wanted}")
    if running != wanted:
        found.append(f"run check_build.py with {wanted} (this is {running})")
    return found


def check(build_dir: Path) -> tuple[list[dict[str, Any]], list[str]]:
    template = load_template(build_dir / "template.yaml")
    resources = template["Resources"]
    function_globals = template.get("Globals", {}).get("Function", {})
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    sizes: dict[str, int] = {}

    def size(path: Path) -> int:
        key = str(path)
        if key not in sizes:
            sizes[key] = sum(f.stat().st_size for f in _files(path))
        return sizes[key]

    checked: set[str] = set()
    for logical, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        architecture = (props.get("Architectures") or function_globals.get("Architectures"))[0]
        runtime = props.get("Runtime") or function_globals.get("Runtime", "")
        problems += [p for p in runtime_problems(runtime) if p not in problems]
        code = build_dir / props["CodeUri"]
        layers = [
            build_dir / resources[ref["Ref"]]["Properties"]["ContentUri"]
            for ref in [*function_globals.get("Layers", []), *props.get("Layers", [])]
        ]
        for part in [code, *layers]:
            if str(part) not in checked:
                checked.add(str(part))
                problems += problems_in(part, architecture)
        total = size(code) + sum(size(layer) for layer in layers)
        rows.append(
            {
                "function": logical,
                "code_mb": size(code) / 1e6,
                "layers": {layer.name: size(layer) / 1e6 for layer in layers},
                "total_mb": total / 1e6,
            }
        )
        if total / 1e6 > LIMIT_MB:
            problems.append(f"{logical}: {total / 1e6:.1f} MB unzipped (limit {LIMIT_MB:.0f} MB)")
    return rows, problems


def main() -> None:
    build_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT / ".aws-sam" / "build"
    rows, problems = check(build_dir)
    print(f"built functions, unzipped (code + layers; limit {LIMIT_MB:.0f} MB):")
    for row in rows:
        layers = " + ".join(f"{name} {mb:.1f}" for name, mb in row["layers"].items())
        print(
            f"  {row['function']:<28}{row['total_mb']:>6.1f} MB  = code {row['code_mb']:.2f} + {layers}"
        )
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
