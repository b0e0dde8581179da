"""Cold start per function: import CPU time of each handler in a Lambda-like layout (figures).

    .venv/bin/python bench/cold_start.py

Each function is built the way ``sam build`` ships it (``infra/build/lambda_build.py``: the same
pinned wheels, pruning and precompiled bytecode, for this machine's platform instead of arm64)
into ``build/lambda-host/``, beside a directory standing for the runtime's own boto3. Then, per
function, a fresh ``python -S`` whose ``sys.path`` is only the function's code, its layers (in
template order) and that runtime directory, with bytecode writing off (Lambda's code directory is
read-only), measures the CPU time of:

- ``import app`` (what Lambda's init phase runs), and
- building the function's services on top (what its first invocation adds before any I/O:
  boto3 and the domain modules it needs), with the function's environment from
  ``template.yaml`` (placeholders for references), and
- the X-Ray tracer on top of that (created at the first traced invocation in AWS).

Prints the median (and the minimum) of ``RUNS`` processes per function, and the unzipped size of
each function with its layers. Exits non-zero when a median ``import app`` exceeds the budget.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from intake_local.template import PROJECT_ROOT, load_template

BUILDER = PROJECT_ROOT / "infra" / "build" / "lambda_build.py"
OUT = PROJECT_ROOT / "build" / "lambda-host"
RUNS = 7
BUDGET_MS = 400
# What a function's first invocation builds (``intake.wiring``), by handler directory.
SERVICES = {
    "ingest_referral": "ingest_service",
    "dispatch_task": "task_service",
    "workflow_step": "workflow_steps",
    "check_benefits": "benefits_check",
    "estimate_cost": "cost_estimates",
    "prior_auth": "prior_authorizations",
    "poll_authorizations": "prior_authorizations",
    "liaison_api": "task_service",
    "dose_check": "dose_check",
    "sweep_doses": "dose_sweep",
    "reconciler": "reconciler",
    "send_clinic_statuses": "clinic_sender",
}
PLACEHOLDERS = {
    "PHARMACY_NAME": "Bench Pharmacy",
    "PHARMACY_NPI": "1234567893",
    "PHARMACY_PHONE": "5555550100",
    "PHARMACY_FAX": "5555550101",
    "CLEARINGHOUSE_ENDPOINT": "https://clearinghouse.invalid/core",
    "OCR_ENGINE": "textract",
}
PROBE = """
import importlib, json, os, sys, time
sys.path[:0] = json.loads(os.environ["BENCH_PATH"])
t0 = time.process_time()
importlib.import_module("app")
t1 = time.process_time()
getattr(importlib.import_module("intake.wiring"), os.environ["BENCH_SERVICE"])()
t2 = time.process_time()
importlib.import_module("intake.core.observability").tracer.provider
t3 = time.process_time()
print(json.dumps({"import": t1 - t0, "services": t2 - t0, "tracer": t3 - t0, "modules": len(sys.modules)}))
"""


def _digest(*paths: Path) -> str:
    digest = hashlib.sha256(BUILDER.read_bytes())
    digest.update(sys.implementation.cache_tag.encode())  # bytecode and wheels are per Python
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for file in files:
            if "__pycache__" not in file.parts:
                digest.update(file.relative_to(root.parent).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def _build(kind: str, src: Path, name: str) -> Path:
    """Build once per content digest (installing wheels is the slow part)."""
    target = OUT / kind / f"{name}-{_digest(src)}"
    if not target.exists():
        tmp = target.with_name(target.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(
            [sys.executable, str(BUILDER), kind, str(src), str(tmp), "--platform", "host"],
            check=True,
        )
        tmp.rename(target)
    return target


def _runtime() -> Path:
    """The runtime's own boto3 (``/var/runtime`` in Lambda), built like a layer."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "runtime"
        src.mkdir()
        shutil.copy(PROJECT_ROOT / "requirements" / "lambda-runtime.txt", src / "requirements.txt")
        return _build("layer", src, "lambda-runtime") / "python"


def _size(paths: list[Path]) -> int:
    return sum(f.stat().st_size for p in paths for f in p.rglob("*") if f.is_file())


def _environment(variables: dict[str, Any], parameters: dict[str, Any]) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "infusion-intake",
        "POWERTOOLS_METRICS_NAMESPACE": "InfusionIntake",
    }
    for name, value in variables.items():
        default = parameters.get(value.get("Ref", ""), {}) if isinstance(value, dict) else {}
        if isinstance(value, str):
            env[name] = value
        elif "Default" in default:
            env[name] = str(default["Default"])
        else:
            env[name] = PLACEHOLDERS.get(name, f"arn:aws:bench:{name}")
    env.update({k: v for k, v in PLACEHOLDERS.items() if k in variables})
    return env


def measure() -> list[dict[str, Any]]:
    template = load_template()
    resources = template["Resources"]
    function_globals = template.get("Globals", {}).get("Function", {})
    runtime = _runtime()
    layer_dirs: dict[str, Path] = {}
    results = []
    for resource in resources.values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        code_src = PROJECT_ROOT / props["CodeUri"]
        code = _build("function", code_src, code_src.name)
        layers = [*function_globals.get("Layers", []), *props.get("Layers", [])]
        paths = [code]
        for ref in layers:
            layer = ref["Ref"]
            if layer not in layer_dirs:
                src = PROJECT_ROOT / resources[layer]["Properties"]["ContentUri"]
                layer_dirs[layer] = _build("layer", src, layer) / "python"
            paths.append(layer_dirs[layer])
        variables = {
            **function_globals.get("Environment", {}).get("Variables", {}),
            **props.get("Environment", {}).get("Variables", {}),
        }
        env = _environment(variables, template.get("Parameters", {}))
        env["BENCH_PATH"] = json.dumps([str(p) for p in [*paths, runtime]])
        env["BENCH_SERVICE"] = SERVICES[code_src.name]
        runs = []
        for _ in range(RUNS):
            probe = subprocess.run(
                [sys.executable, "-S", "-c", PROBE],
                env=env,
                cwd=code,
                check=False,
                capture_output=True,
                text=True,
            )
            if probe.returncode:
                raise SystemExit(f"{code_src.name}: the probe failed\n{probe.stderr}")
            runs.append(json.loads(probe.stdout))
        results.append(
            {
                "function": code_src.name,
                "import_ms": statistics.median(r["import"] for r in runs) * 1000,
                "import_min_ms": min(r["import"] for r in runs) * 1000,
                "services_ms": statistics.median(r["services"] for r in runs) * 1000,
                "tracer_ms": statistics.median(r["tracer"] for r in runs) * 1000,
                "modules": runs[0]["modules"],
                "size_mb": _size(paths) / 1e6,
                "layers": [ref["Ref"] for ref in layers],
            }
        )
    return results


def main() -> None:
    results = measure()
    print(
        f"cold start in a Lambda-like layout (python -S, built code + layers, precompiled; "
        f"median CPU of {RUNS} processes; budget {BUDGET_MS} ms for import app)"
    )
    print(
        f"{'function':<21}{'import app':>11}{'(min)':>7}{'+ services':>12}{'+ tracer':>10}"
        f"{'modules':>9}{'unzipped':>10}  layers"
    )
    for r in results:
        flag = "" if r["import_ms"] < BUDGET_MS else "  OVER BUDGET"
        layers = ", ".join(name.removesuffix("Layer") for name in r["layers"])
        print(
            f"{r['function']:<21}{r['import_ms']:>8.0f} ms{r['import_min_ms']:>7.0f}"
            f"{r['services_ms']:>9.0f} ms{r['tracer_ms']:>7.0f} ms{r['modules']:>9}"
            f"{r['size_mb']:>7.1f} MB  {layers}{flag}"
        )
    if any(r["import_ms"] >= BUDGET_MS for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
