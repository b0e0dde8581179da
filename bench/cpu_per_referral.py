"""CPU per referral, by function, on the local stack (figures, not tests).

    .venv/bin/python bench/cpu_per_referral.py [--json FILE]

Runs three journeys one at a time on a fresh local stack (warm workers, scheduled poller off),
each to its end with the liaison calls completed through the HTTP API: a JSON referral, a
scanned fax read by OCR, and a referral whose drug needs prior authorization. Every Lambda
invocation's CPU is measured in its worker process around the handler call (``process_time``
plus the programs it waited for, i.e. Tesseract; ``lambda_worker``), so the local AWS emulator,
which runs in another process, is not in the figures; boto3's own work in the function (signing,
serializing, parsing) is, as it is on AWS. An invocation belongs to a journey when it ran while
that referral was in flight and its event names that referral or none (an upload's event names
none: the id comes from the content).

Before the clock: a JSON and a prior-authorization warm-up journey, so module-level caches and
lazy imports a first invocation pays are not counted (a cold start's init is
``bench/cold_start.py``'s figure); the fax has none (see ``WARM_UPS``).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aws_requests import drive_journey

from intake_local.lambda_runtime import Invocation
from intake_local.stack import LocalStack, StackOptions

SAMPLES = Path(__file__).resolve().parents[1] / "events" / "referrals"
JOURNEYS = {
    "JSON referral": "01-ppo-deductible-coinsurance.json",
    "fax (OCR)": "21-fax-scanned.pdf",
    "PA journey": "15-prior-auth-certified.json",
}
WARM_UPS = ("07-medicare-advantage.json", "16-prior-auth-partial.json")
"""Journeys that end without the poller (a pended authorization would wait for it). No PDF: the
faxes 20-24 are one patient, so a second one is linked to the first as an update."""
GOAL_JSON_CPU_S = 0.5
SETTLE_S = 3.0
"""After the end status: the last step's invocations finish and are counted."""


@dataclass
class Journey:
    label: str
    sample: str
    referral_id: str = ""
    status: str | None = None
    wall_s: float = 0.0
    cpu_by_function: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    calls_by_function: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu_by_function.values())


def _short_names(stack: LocalStack) -> dict[str, str]:
    assert stack.outputs is not None
    return {
        physical: logical.removesuffix("Function")
        for logical, physical in stack.outputs.functions.items()
    }


def run_journey(stack: LocalStack, label: str, sample: str) -> Journey:
    names = _short_names(stack)
    first = len(stack.pool.invocations)
    started = time.monotonic()
    referral_id, status = drive_journey(stack, sample, (SAMPLES / sample).read_bytes())
    time.sleep(SETTLE_S)
    result = Journey(label, sample, referral_id, status, time.monotonic() - started)
    ours: list[Invocation] = [
        i for i in stack.pool.invocations[first:] if i.referral_id in (None, referral_id)
    ]
    for invocation in ours:
        name = names.get(invocation.function_name, invocation.function_name)
        result.cpu_by_function[name] += invocation.cpu_s
        result.calls_by_function[name] += 1
    return result


def table(journeys: list[Journey]) -> str:
    """A Markdown table: CPU seconds (invocations) per function and journey, then the total."""
    functions = sorted({f for j in journeys for f in j.cpu_by_function})
    head = "| function | " + " | ".join(j.label for j in journeys) + " |"
    rows = [head, "|---|" + "---:|" * len(journeys)]
    for function in functions:
        cells = [
            f"{j.cpu_by_function[function]:.3f} ({j.calls_by_function[function]})"
            if function in j.cpu_by_function
            else "-"
            for j in journeys
        ]
        rows.append(f"| {function} | " + " | ".join(cells) + " |")
    totals = [f"**{j.cpu_s:.3f}** ({sum(j.calls_by_function.values())})" for j in journeys]
    rows.append("| **all functions** | " + " | ".join(totals) + " |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    with LocalStack(StackOptions(poll_every_seconds=None)) as stack:
        for sample in WARM_UPS:
            _, status = drive_journey(stack, sample, (SAMPLES / sample).read_bytes())
            print(f"warm-up {sample} → {status}", flush=True)
        time.sleep(SETTLE_S)
        journeys = []
        for label, sample in JOURNEYS.items():
            journeys.append(run_journey(stack, label, sample))
            print(f"{label}: {sample} → {journeys[-1].status}", flush=True)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"CPU seconds per referral by function (invocations), local stack, {when}:\n")
    print(table(journeys))
    print()
    for j in journeys:
        print(f"{j.label}: {j.sample} → {j.status}, {j.wall_s:.1f} s upload to end")
    json_cpu = journeys[0].cpu_s
    verdict = "under" if json_cpu < GOAL_JSON_CPU_S else "OVER"
    print(f"JSON referral: {json_cpu:.3f} s CPU, {verdict} the {GOAL_JSON_CPU_S} s goal")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "measured_at": when,
                    "journeys": [
                        {
                            "label": j.label,
                            "sample": j.sample,
                            "status": j.status,
                            "cpu_s": round(j.cpu_s, 4),
                            "cpu_s_by_function": {
                                k: round(v, 4) for k, v in sorted(j.cpu_by_function.items())
                            },
                            "invocations_by_function": dict(sorted(j.calls_by_function.items())),
                        }
                        for j in journeys
                    ],
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
