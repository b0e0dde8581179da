"""Load: N distinct referrals through the local stack with an automatic liaison (figures).

    .venv/bin/python bench/load.py --referrals 200                (make load N=200)
    .venv/bin/python bench/load.py --referrals 30 --rate 20       (make load N=30 RATE=20)
    .venv/bin/python bench/load.py --referrals 30 --capacity      (make load N=30 CAPACITY=1)

Starts the local stack (the clock starts once every function's worker has finished its init),
uploads N distinct referrals made from the JSON samples (each a new patient contact: the
clinic reference, phone, street number and weight differ, so every upload is its own referral
while the payer still knows the member), lets the workflow run while an automatic liaison works
the open-task index (``GET /tasks``, as a liaison's tool does), and prints, per workflow step,
p50/p95/max seconds, and the count per end state. Exits non-zero if any referral is lost (never
ingested), unfinished when the time runs out, or failed.

Without ``--rate`` the N uploads go as fast as four clients can send them (a burst). With
``--rate R`` they arrive as a Poisson process of R referrals a minute (exponential gaps, seeded,
so every run sends the same schedule), each upload on its own thread at its time, and the
figure to read is upload → welcome call queued p50/p95/max at that rate. ``--capacity`` steps
the rate on one stack (N referrals a step, starting at ``--rate`` or 15 a minute, doubling while
p95 stays under 5 s and halving while it does not, then halfway between) and reports the highest
rate whose upload → welcome call queued p95 stayed under 5 s with every referral finished.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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


def referrals(n: int, first: int = 0) -> list[tuple[str, bytes]]:
    """``n`` distinct referral documents (name, bytes), cycling through ``MIX``; ``first``
    numbers them on from an earlier batch, so they are new referrals too."""
    out = []
    for i, name in zip(range(first, first + n), itertools.cycle(MIX), strict=False):
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


WELCOME = "(upload → welcome call queued)"
GOAL_P95_S = 5.0
START_RATE = 15.0
MIN_RATE = 1.0
MAX_STEPS = 6


def arrivals(n: int, per_minute: float, seed: int = 21) -> list[float]:
    """Seconds from the start at which ``n`` referrals arrive: a Poisson process of
    ``per_minute`` a minute (exponential gaps), the same schedule on every run."""
    draw = random.Random(seed)
    at, out = 0.0, []
    for _ in range(n):
        out.append(at)
        at += draw.expovariate(per_minute / 60.0)
    return out


@dataclass
class Step:
    """One batch of referrals through the stack, and what became of them."""

    rate: float | None
    expected: dict[str, str]
    statuses: dict[str, str]
    views: dict[str, dict[str, Any]]
    wall: float

    def welcome_p95(self) -> float | None:
        values = _steps(self.views).get(WELCOME, [])
        return _pct(values, 0.95) if len(values) == len(self.expected) else None


def _upload(stack: LocalStack, docs: list[tuple[str, bytes]], rate: float | None) -> None:
    s3 = stack.client("s3")
    upload_s: list[float] = []
    started = time.monotonic()

    def put(item: tuple[str, bytes]) -> None:
        t = time.monotonic()
        s3.put_object(
            Bucket=stack.outputs.intake_bucket,  # type: ignore[union-attr]
            Key=f"referrals/load-clinic/{item[0]}",
            Body=item[1],
        )
        upload_s.append(time.monotonic() - t)

    if rate is None:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(put, docs))
        how = ""
    else:
        senders = []
        for at, doc in zip(arrivals(len(docs), rate), docs, strict=True):
            time.sleep(max(0.0, started + at - time.monotonic()))
            sender = threading.Thread(target=put, args=(doc,), daemon=True)
            sender.start()
            senders.append(sender)
        for sender in senders:
            sender.join(timeout=120)
        how = f" at {rate:g} a minute (Poisson arrivals)"
    print(
        f"uploaded {len(docs)} referrals in {time.monotonic() - started:.1f} s{how} "
        f"(PutObject p50 {statistics.median(upload_s) * 1000:.0f} ms, "
        f"max {max(upload_s) * 1000:.0f} ms)",
        flush=True,
    )


def _load_step(
    stack: LocalStack,
    api: LiaisonClient,
    docs: list[tuple[str, bytes]],
    rate: float | None,
    timeout_s: float,
) -> Step:
    expected = {referral_id_for(body): name for name, body in docs}
    started = time.monotonic()
    _upload(stack, docs, rate)
    statuses: dict[str, str] = {}
    while time.monotonic() - started < timeout_s:
        pending = [r for r in expected if statuses.get(r) not in TERMINAL]
        statuses.update(referral_statuses(stack, pending))
        if all(statuses.get(r) in TERMINAL for r in expected):
            break
        # moto copies each whole referral item to project its status: not too often
        time.sleep(10.0)
    wall = time.monotonic() - started
    views = {rid: api.referral(rid) for rid in expected if rid in statuses}
    return Step(rate, expected, statuses, views, wall)


def _session(
    batches: Callable[[LocalStack, LiaisonClient, Counter[str]], list[Step]],
    mix_of: list[tuple[str, bytes]],
) -> tuple[list[Step], Counter[str], dict[str, list[float]]]:
    """Start the stack and the liaison team, run the batches, and stop: the steps, the tasks
    the liaison completed, and each function's invocation seconds."""
    mix = {referral_id_for(body): name.split("-", 2)[-1] for name, body in mix_of}
    t0 = time.perf_counter()
    with LocalStack(StackOptions(prewarm_workers=WORKERS)) as stack:
        assert stack.outputs is not None
        print(f"local stack ready in {time.perf_counter() - t0:.1f} s (workers initialized)")
        stop = threading.Event()
        worked: Counter[str] = Counter()
        api = LiaisonClient(stack.outputs.api_url)
        scripts = LiaisonScripts.load(SAMPLES, mix)
        liaison = threading.Thread(target=_liaison, args=(api, scripts, stop, worked), daemon=True)
        liaison.start()
        try:
            steps = batches(stack, api, worked)
        finally:
            stop.set()
            liaison.join(timeout=10)
        durations: dict[str, list[float]] = defaultdict(list)
        for invocation in stack.pool.invocations:
            name = invocation.function_name
            short = name.split("-")[-2] if name.count("-") >= 2 else name
            durations[short].append(invocation.seconds)
    return steps, worked, durations


def _print_durations(durations: dict[str, list[float]]) -> None:
    print(
        f"\n{'function invocations (s, init excluded)':<40}{'count':>6}{'p50':>8}{'p95':>8}{'max':>8}"
    )
    for name, values in sorted(durations.items()):
        print(
            f"{name:<40}{len(values):>6}{_pct(values, 0.5):>8.2f}"
            f"{_pct(values, 0.95):>8.2f}{max(values):>8.2f}"
        )


def run(n: int, timeout_s: float, rate: float | None = None) -> int:
    docs = referrals(n)

    def one(stack: LocalStack, api: LiaisonClient, _worked: Counter[str]) -> list[Step]:
        return [_load_step(stack, api, docs, rate, timeout_s)]

    (step,), worked, durations = _session(one, docs)
    code = _report(n, step.expected, step.statuses, step.views, step.wall, worked)
    _print_durations(durations)
    return code


def _next_rate(steps: list[Step]) -> float | None:
    """Double while p95 stays under the goal, halve while it does not; once there is a rate on
    each side, try halfway between until they are within 30 % of each other."""
    good = [s.rate for s in steps if s.rate and _within_goal(s)]
    bad = [s.rate for s in steps if s.rate and not _within_goal(s)]
    if len(steps) >= MAX_STEPS:
        return None
    if not bad:
        return 2 * max(good)
    if not good:
        lower = min(bad) / 2
        return lower if lower >= MIN_RATE else None
    low, high = max(good), min(bad)
    return round((low + high) / 2, 1) if high > low * 1.3 else None


def _within_goal(step: Step) -> bool:
    p95 = step.welcome_p95()
    finished = all(step.statuses.get(r) in TERMINAL for r in step.expected)
    return p95 is not None and p95 < GOAL_P95_S and finished


def capacity(n: int, timeout_s: float, start: float) -> int:
    """Step the rate up (N referrals a step, one stack) and print the highest rate whose
    upload → welcome call queued p95 stayed under 5 s."""

    def ladder(stack: LocalStack, api: LiaisonClient, worked: Counter[str]) -> list[Step]:
        steps: list[Step] = []
        rate: float | None = start
        while rate is not None:
            print(f"\n--- step {len(steps) + 1}: {rate:g} referrals a minute ---", flush=True)
            docs = referrals(n, first=n * len(steps))
            steps.append(_load_step(stack, api, docs, rate, timeout_s))
            _report(
                n, steps[-1].expected, steps[-1].statuses, steps[-1].views, steps[-1].wall, worked
            )
            rate = _next_rate(steps)
        return steps

    steps, _worked, durations = _session(ladder, referrals(n * MAX_STEPS))
    print(f"\n{'rate (a minute)':<18}{WELCOME + ' p50':>40}{'p95':>8}{'max':>8}  all finished")
    for step in sorted(steps, key=lambda s: s.rate or 0):
        values = _steps(step.views).get(WELCOME, [0.0])
        finished = all(step.statuses.get(r) in TERMINAL for r in step.expected)
        print(
            f"{step.rate or 0:<18g}{_pct(values, 0.5):>40.2f}{_pct(values, 0.95):>8.2f}"
            f"{max(values):>8.2f}  {'yes' if finished else 'no'}"
        )
    within = [s.rate for s in steps if s.rate and _within_goal(s)]
    if within:
        print(
            f"capacity: {max(within):g} referrals a minute with upload → welcome call queued "
            f"p95 under {GOAL_P95_S:g} s ({n} referrals a step; one machine, shared)"
        )
    else:
        lowest = min(s.rate or start for s in steps)
        print(f"capacity: below {lowest:g} referrals a minute (p95 over {GOAL_P95_S:g} s)")
    _print_durations(durations)
    return 0 if within else 1


def _steps(views: dict[str, dict[str, Any]]) -> dict[str, list[float]]:
    """Seconds per workflow step (timeline event → next), and upload → welcome call queued
    and upload → end state, over the referrals' views."""
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
            steps[WELCOME].append(seconds)
        ends = [e for e in timeline if e["event"].startswith("workflow_")]
        if uploaded and ends:
            steps["(upload → end state)"].append(
                (_ts(ends[-1]["at"]) - _ts(uploaded["at"])).total_seconds()
            )
    return steps


def _report(
    n: int,
    expected: dict[str, str],
    statuses: dict[str, str],
    views: dict[str, dict[str, Any]],
    wall: float,
    worked: Counter[str],
) -> int:
    steps = _steps(views)
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
    parser.add_argument("--referrals", type=int, default=200, help="referrals (a step)")
    parser.add_argument("--timeout", type=float, help="seconds (default: 120 + 5 per referral)")
    parser.add_argument(
        "--rate",
        type=float,
        help="arrivals a minute (Poisson; default: all at once); with --capacity, the first step",
    )
    parser.add_argument(
        "--capacity",
        action="store_true",
        help=f"step the rate up and report the highest with welcome call p95 < {GOAL_P95_S:g} s",
    )
    args = parser.parse_args()
    if args.rate is not None and args.rate <= 0:
        parser.error("--rate is referrals a minute, above 0")
    timeout = args.timeout or 120 + 5 * args.referrals
    if args.capacity:
        sys.exit(capacity(args.referrals, timeout, args.rate or START_RATE))
    sys.exit(run(args.referrals, timeout, args.rate))


if __name__ == "__main__":
    main()
