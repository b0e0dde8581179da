"""Load: N distinct referrals through the local stack with an automatic liaison (figures).

    .venv/bin/python bench/load.py --referrals 200        (make load N=200)

Starts the local stack (the clock starts once every function's worker has finished its init),
uploads N distinct referrals made from the JSON samples (each a new patient contact: the
clinic reference, phone, street number and weight differ, so every upload is its own referral
while the payer still knows the member), lets the workflow run while an automatic liaison works
the open-task index (``GET /tasks``, as a liaison's tool does), and prints, per workflow step,
p50/p95/max seconds, and the count per end state. Exits non-zero if any referral is lost (never
ingested), unfinished when the time runs out, or failed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from intake.core.ids import referral_id_for
from intake_local.pipeline import (
    TERMINAL,
    LiaisonClient,
    LiaisonScripts,
    _ready,
    liaison_decision,
    referral_statuses,
)
from intake_local.samples.identity import npi_for
from intake_local.stack import LocalStack, StackOptions

SAMPLES = Path(__file__).resolve().parents[1] / "events" / "referrals"
# Samples whose journeys differ: PPO, HMO (es), prior auth (zh), inactive, payer busy, name/DOB
# mismatch, Medicare Advantage, Medicaid (es), member unknown, dependent, PA denied, PA certified.
MIX = (
    "01-ppo-deductible-coinsurance.json",
    "02-hmo-copay-spanish.json",
    "03-auth-required-chinese.json",
    "04-coverage-inactive.json",
    "05-payer-busy-then-answers.json",
    "06-name-dob-mismatch.json",
    "07-medicare-advantage.json",
    "08-medicaid-spanish.json",
    "11-member-not-found.json",
    "13-dependent-child.json",
    "14-prior-auth-denied.json",
    "15-prior-auth-certified.json",
)
FAILED = {"failed"}


def referrals(n: int) -> list[tuple[str, bytes]]:
    """``n`` distinct referral documents (name, bytes), cycling through ``MIX``."""
    out = []
    for i, name in zip(range(n), itertools.cycle(MIX), strict=False):
        doc = json.loads((SAMPLES / name).read_text("utf-8"))
        doc["clinic_reference"] = f"LOAD-{i:06d}"
        doc["prescriber"]["npi"] = npi_for(f"LOAD-{i:06d}")  # distinct: never linked as updates
        patient = doc["patient"]
        patient["phone"] = f"773-555-{i % 10000:04d}"
        patient.setdefault("address", {})["line1"] = f"{100 + i} W Load Test St"
        if patient.get("weight_kg"):
            patient["weight_kg"] = round(float(patient["weight_kg"]) + (i % 7) * 0.5, 1)
        out.append((f"load-{i:06d}-{name}", json.dumps(doc).encode()))
    return out


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


LIAISONS = 6
WORKERS = 4  # warm execution environments per function before the clock starts


def _liaison(
    api: LiaisonClient, scripts: LiaisonScripts, stop: threading.Event, worked: Counter[str]
) -> None:
    """A team of ``LIAISONS`` working the open-task index (``GET /tasks``: never a read per
    referral) until stopped: one reads the list, each task goes to one of them (a claim lost to a
    race is simply skipped), as the sample's script (``_liaison.json``) says."""
    lock = threading.Lock()
    own = threading.local()  # one HTTP session per liaison

    def work(task: dict[str, Any]) -> None:
        if not hasattr(own, "api"):
            own.api = LiaisonClient(api.base_url)
        mine: LiaisonClient = own.api
        decision = liaison_decision(task, scripts)
        ours = task["status"] == "claimed" and task.get("claimed_by") == mine.liaison
        if decision is None or (task["status"] != "open" and not ours) or not _ready(task):
            return
        outcome, corrections, note = decision
        if mine.claim(task["task_id"]).status_code != 200:
            return
        if mine.complete(task["task_id"], outcome, note, corrections).status_code == 200:
            with lock:
                worked[task["task_type"]] += 1

    with ThreadPoolExecutor(max_workers=LIAISONS) as team:
        while not stop.is_set():
            try:
                tasks = api.tasks()
            except Exception:
                stop.wait(0.5)
                continue
            for done in [team.submit(work, task) for task in tasks]:
                # A request that timed out on a busy machine is simply tried on the next round
                # (a claim or completion that did land is seen as such then).
                done.exception()
            stop.wait(1.0)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(n: int, timeout_s: float) -> int:
    docs = referrals(n)
    expected = {referral_id_for(body): name for name, body in docs}
    mix = {referral_id_for(body): name.split("-", 2)[-1] for name, body in docs}
    t0 = time.perf_counter()
    with LocalStack(StackOptions(prewarm_workers=WORKERS)) as stack:
        assert stack.outputs is not None
        print(f"local stack ready in {time.perf_counter() - t0:.1f} s (workers initialized)")
        s3 = stack.client("s3")
        stop = threading.Event()
        worked: Counter[str] = Counter()
        api = LiaisonClient(stack.outputs.api_url)
        scripts = LiaisonScripts.load(SAMPLES, mix)
        liaison = threading.Thread(target=_liaison, args=(api, scripts, stop, worked), daemon=True)
        liaison.start()
        started = time.monotonic()
        upload_s: list[float] = []

        def put(item: tuple[str, bytes]) -> None:
            t = time.monotonic()
            s3.put_object(
                Bucket=stack.outputs.intake_bucket,  # type: ignore[union-attr]
                Key=f"referrals/load-clinic/{item[0]}",
                Body=item[1],
            )
            upload_s.append(time.monotonic() - t)

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(put, docs))
        uploaded_in = time.monotonic() - started
        print(
            f"uploaded {n} referrals in {uploaded_in:.1f} s "
            f"(PutObject p50 {statistics.median(upload_s) * 1000:.0f} ms, "
            f"max {max(upload_s) * 1000:.0f} ms)"
        )
        statuses: dict[str, str] = {}
        while time.monotonic() - started < timeout_s:
            pending = [r for r in expected if statuses.get(r) not in TERMINAL]
            statuses.update(referral_statuses(stack, pending))
            if all(statuses.get(r) in TERMINAL for r in expected):
                break
            # moto copies each whole referral item to project its status: not too often
            time.sleep(10.0)
        wall = time.monotonic() - started
        stop.set()
        liaison.join(timeout=10)
        views = {rid: api.referral(rid) for rid in expected if rid in statuses}
        durations: dict[str, list[float]] = defaultdict(list)
        for name, _memory, seconds in stack.pool.invocations:
            durations[name.split("-")[-2] if name.count("-") >= 2 else name].append(seconds)
    code = _report(n, expected, statuses, views, wall, worked)
    print(
        f"\n{'function invocations (s, init excluded)':<40}{'count':>6}{'p50':>8}{'p95':>8}{'max':>8}"
    )
    for name, values in sorted(durations.items()):
        print(
            f"{name:<40}{len(values):>6}{_pct(values, 0.5):>8.2f}"
            f"{_pct(values, 0.95):>8.2f}{max(values):>8.2f}"
        )
    return code


def _report(
    n: int,
    expected: dict[str, str],
    statuses: dict[str, str],
    views: dict[str, dict[str, Any]],
    wall: float,
    worked: Counter[str],
) -> int:
    steps: dict[str, list[float]] = defaultdict(list)
    for view in views.values():
        timeline = view["timeline"]
        for before, after in itertools.pairwise(timeline):
            seconds = (_ts(after["at"]) - _ts(before["at"])).total_seconds()
            steps[f"{before['event']} → {after['event']}"].append(seconds)
        uploaded = next((e for e in timeline if e["event"] == "uploaded"), None)
        welcome = next(
            (
                e
                for e in timeline
                if e["event"] == "task_queued"
                and e.get("detail", {}).get("task_type") == "welcome_call"
            ),
            None,
        )
        if uploaded and welcome:
            seconds = (_ts(welcome["at"]) - _ts(uploaded["at"])).total_seconds()
            steps["(upload → welcome call queued)"].append(seconds)
        ends = [e for e in timeline if e["event"].startswith("workflow_")]
        if uploaded and ends:
            steps["(upload → end state)"].append(
                (_ts(ends[-1]["at"]) - _ts(uploaded["at"])).total_seconds()
            )
    print(f"\n{n} referrals, {wall:.1f} s wall; liaison completed {dict(worked)}")
    print(f"{'step (timeline event → next event)':<62}{'count':>6}{'p50':>8}{'p95':>8}{'max':>8}")
    for name, values in sorted(steps.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(values) < max(3, n // 50):
            continue
        print(
            f"{name[:61]:<62}{len(values):>6}{_pct(values, 0.5):>8.2f}"
            f"{_pct(values, 0.95):>8.2f}{max(values):>8.2f}"
        )
    end_states = Counter(statuses.get(rid, "lost (never ingested)") for rid in expected)
    print("end states: " + ", ".join(f"{k} {v}" for k, v in sorted(end_states.items())))
    lost = [expected[r] for r in expected if r not in statuses]
    unfinished = [expected[r] for r in expected if r in statuses and statuses[r] not in TERMINAL]
    failed = [expected[r] for r in expected if statuses.get(r) in FAILED]
    for label, files in (("lost", lost), ("unfinished", unfinished), ("failed", failed)):
        if files:
            print(
                f"{label}: {len(files)}: {', '.join(files[:10])}{' …' if len(files) > 10 else ''}"
            )
    return 1 if lost or unfinished or failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--referrals", type=int, default=200)
    parser.add_argument("--timeout", type=float, help="seconds (default: 120 + 5 per referral)")
    args = parser.parse_args()
    sys.exit(run(args.referrals, args.timeout or 120 + 5 * args.referrals))


if __name__ == "__main__":
    main()
