"""Build one Lambda function's code or one layer the way it is shipped (stdlib only).

Used by ``sam build`` (``BuildMethod: makefile``, see ``infra/build/Makefile``) and by the
cold-start benchmark, so the figures are measured on exactly what is deployed:

- third-party layers are installed from their fully pinned ``requirements.txt`` with
  ``--no-deps`` (nothing arrives that is not listed: no second botocore through aws-xray-sdk),
  as binary wheels for the target platform: python3.13 runs on Amazon Linux 2023 (glibc 2.34),
  so every ``manylinux_2_17`` to ``manylinux_2_34`` aarch64 wheel fits (pip matches
  ``--platform`` tags exactly, so each is named: a ``manylinux_2_28`` Pillow and a
  ``manylinux2014`` pydantic-core alike);
- unused parts of libraries are pruned: FHIR STU3 and R5 models (only R4B is used), C sources
  and type stubs, fontTools' optional compiled speedups (it falls back to the same code in pure
  Python; 20 MB) and Pillow's AVIF codec (3.7 MB; referrals never carry AVIF);
- everything is compiled to bytecode for the runtime's Python: Lambda's code directory is
  read-only, so a build without ``.pyc`` files compiles every module on every cold start.
  Third-party packages ship as bytecode only (their sources would double their size and keep
  the PDF functions over 60 MB); our own code keeps its sources beside ``unchecked-hash``
  ``.pyc`` files (timestamp-checked ones would be rejected once zip archiving has rounded the
  sources' modification times), so tracebacks show our lines.

    python infra/build/lambda_build.py function SRC_DIR OUT_DIR
    python infra/build/lambda_build.py layer SRC_DIR OUT_DIR [--platform host]
"""

from __future__ import annotations

import argparse
import compileall
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

RUNTIME_PYTHON = (3, 13)  # template.yaml: Runtime python3.13
RUNTIME_GLIBC = (2, 34)  # python3.13's Amazon Linux 2023
ARCHITECTURE = "aarch64"  # template.yaml: Architectures [arm64]
OLDEST_MANYLINUX = 17  # manylinux2014 is manylinux_2_17
# Paths inside a layer's python/ directory that no function imports.
PRUNE = ("bin", "fhir/resources/STU3")
PRUNE_GLOBS = (
    "**/*.c",
    "**/*.pyx",
    "**/*.pxd",
    "**/*.pyi",
    "fontTools/**/*.so",
    "PIL/_avif.*.so",
    "pillow.libs/libavif*",
)
# FHIR R5 models sit beside the R4B package; only ``fhir.resources.R4B`` is imported.
FHIR_TOP_LEVEL_KEEP = {"__init__.py", "py.typed", "R4B"}


def lambda_platforms() -> list[str]:
    """Every wheel platform tag the runtime's glibc accepts, newest first (what pip on the
    runtime itself would accept: ``pip download --platform`` matches tags exactly)."""
    major, newest = RUNTIME_GLIBC
    tags = [
        f"manylinux_{major}_{minor}_{ARCHITECTURE}"
        for minor in range(newest, OLDEST_MANYLINUX - 1, -1)
    ]
    return [*tags, f"manylinux2014_{ARCHITECTURE}"]


def _check_python() -> None:
    if sys.version_info[:2] != RUNTIME_PYTHON:
        wanted = ".".join(map(str, RUNTIME_PYTHON))
        raise SystemExit(f"lambda_build: run with Python {wanted} (bytecode is version-specific)")


def _copy(src: Path, dst: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "Makefile", "requirements.txt")
    shutil.copytree(src, dst, ignore=ignore, dirs_exist_ok=True)


def install(requirements: Path, target: Path, platforms: list[str]) -> None:
    """pip-install pinned wheels for the Lambda platform (or this host's, for benchmarks)."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "-qq",
        "--disable-pip-version-check",
        "--no-deps",
        "--only-binary=:all:",
        "--no-compile",
        "--target",
        str(target),
        "--requirement",
        str(requirements),
    ]
    if platforms != ["host"]:
        version = "".join(map(str, RUNTIME_PYTHON))
        command += [arg for tag in platforms for arg in ("--platform", tag)]
        command += ["--implementation", "cp", "--python-version", version]
    subprocess.run(command, check=True)


def prune(site: Path) -> None:
    for relative in PRUNE:
        shutil.rmtree(site / relative, ignore_errors=True)
    fhir = site / "fhir" / "resources"
    if fhir.is_dir():
        for entry in fhir.iterdir():
            if entry.name not in FHIR_TOP_LEVEL_KEEP:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for pattern in PRUNE_GLOBS:
        for path in site.glob(pattern):
            path.unlink()
    for cache in site.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


def compile_tree(root: Path, shown_as: str, *, sourceless: bool = False) -> None:
    """Compile every module; ``sourceless`` writes ``module.pyc`` beside each source (the
    layout Python imports without a source) and removes the source. ``shown_as`` is the
    directory tracebacks name (where Lambda mounts the code: /var/task, /opt/python)."""
    ok = compileall.compile_dir(
        str(root),
        ddir=shown_as,
        quiet=2,
        workers=1,
        legacy=sourceless,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    if not ok:
        raise SystemExit(f"lambda_build: some modules under {root} do not compile")
    if sourceless:
        for source in root.rglob("*.py"):
            if source.with_suffix(".pyc").is_file():
                source.unlink()


def build_function(src: Path, out: Path) -> None:
    _copy(src, out)
    compile_tree(out, "/var/task")


def build_layer(src: Path, out: Path, platforms: list[str]) -> None:
    """A layer is a ``python/`` tree to copy, a ``requirements.txt`` to install, or both."""
    site = out / "python"
    site.mkdir(parents=True, exist_ok=True)
    if (src / "requirements.txt").is_file():
        install(src / "requirements.txt", site, platforms)
        prune(site)
        compile_tree(site, "/opt/python", sourceless=True)
    if (src / "python").is_dir():
        _copy(src / "python", site)
        compile_tree(site, "/opt/python")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("kind", choices=["function", "layer"])
    parser.add_argument("src", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "--platform",
        action="append",
        dest="platforms",
        help="a wheel platform tag (repeatable), or 'host'; default: the Lambda runtime's",
    )
    args = parser.parse_args(argv)
    _check_python()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.kind == "function":
        build_function(args.src, args.out)
    else:
        build_layer(args.src, args.out, args.platforms or lambda_platforms())


if __name__ == "__main__":
    main()
