"""What one dose sweep reads and costs (figures, not tests).

    .venv/bin/python bench/bench_sweep.py [PATIENTS] [DUE]

PATIENTS (default 10,000) patients on therapy, each with two doses ahead in the table (their
checks pending in the sparse index), DUE (default 100) of them with a check due now. One
sweep runs against the real table layout (moto, the template's table and indexes): it queries
the ``DOSE#due`` partition up to now and starts one check per due dose. Printed: its wall time,
the DynamoDB queries and items it read (they follow DUE, not PATIENTS), the read units that
costs, and the cost per patient-month against per-dose EventBridge Scheduler schedules.
"""

from __future__ import annotations

import json
import math
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from moto import mock_aws

from intake.adapters.dynamodb_doses import DynamoDbDoses, index_keys
from intake.adapters.dynamodb_store import _to_item
from intake.course.model import DoseRecord
from intake.course.sweep import DoseSweep
from intake_local.memory_workflow import MemoryWorkflow
from intake_local.template import load_template

REGION = "us-east-1"
NOW = datetime(2027, 3, 1, 13, 0, tzinfo=UTC)
RCU_PER_4KB_EVENTUAL = 0.5
USD_PER_MILLION_RRU = 0.25  # on-demand read request units (us-east-1)
USD_PER_MILLION_WRU = 1.25
USD_PER_MILLION_SCHEDULER = 1.00  # EventBridge Scheduler invocations
USD_PER_THOUSAND_TRANSITIONS = 0.025  # Step Functions standard


def _dose(patient: int, number: int, check_at: datetime) -> DoseRecord:
    day = (check_at + timedelta(days=7)).date()
    return DoseRecord(
        referral_id=f"ref-{patient:020x}",
        number=number,
        day=day,
        kind="maintenance",
        drug_units=56,
        plan_year=day.year,
        check_at=check_at,
        ship_by=day - timedelta(days=3),
        updated_at=NOW - timedelta(days=30),
    )


def main(patients: int = 10_000, due: int = 100) -> dict[str, Any]:
    with mock_aws():
        props = load_template()["Resources"]["IntakeTable"]["Properties"]
        ddb = boto3.client("dynamodb", region_name=REGION)
        ddb.create_table(
            TableName="bench",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"],
        )
        table = boto3.resource("dynamodb", region_name=REGION).Table("bench")
        started = time.perf_counter()
        sizes = []
        with table.batch_writer() as batch:
            for p in range(patients):
                # the next dose: due now for the first DUE patients, 1-27 days later for the rest
                first = NOW - timedelta(hours=1) if p < due else NOW + timedelta(days=1 + p % 27)
                for n, at in ((1, first), (2, first + timedelta(days=28))):
                    dose = _dose(p, n, at)
                    item = _to_item(dose.model_dump(mode="json"))
                    item.update(
                        pk=f"REFERRAL#{dose.referral_id}", sk=f"DOSE#{n:04d}", **index_keys(dose)
                    )
                    if p == 0:
                        sizes.append(len(json.dumps(item, default=str)))
                    batch.put_item(Item=item)
        loaded_s = time.perf_counter() - started

        reads = {"queries": 0, "items": 0, "scanned": 0}

        def count(**kwargs: Any) -> None:
            parsed = kwargs.get("parsed") or {}
            reads["queries"] += 1
            reads["items"] += int(parsed.get("Count", 0))
            reads["scanned"] += int(parsed.get("ScannedCount", 0))

        doses = DynamoDbDoses("bench", table)
        table.meta.client.meta.events.register("after-call.dynamodb.Query", count)
        starts = MemoryWorkflow()
        sweep = DoseSweep(doses, starts, clock=lambda: NOW)
        t0 = time.perf_counter()
        report = sweep.run()
        sweep_s = time.perf_counter() - t0
        swept = dict(reads)
        again = DoseSweep(doses, starts, clock=lambda: NOW).run()

    item_kb = max(sizes) / 1024
    # A query is charged on the total size it returns, in 4 KB units (eventually consistent: half)
    rcu = math.ceil(swept["items"] * item_kb / 4) * RCU_PER_4KB_EVENTUAL
    # Cost per patient-month with monthly doses: the sweep runs 24 x 30 = 720 times a month
    # (one query, a few RCUs when nothing is due); each dose costs its query share, one
    # conditional put (1 WRU + 1 GSI write), one StartExecution.
    sweeps_per_month = 24 * 30
    idle_query_usd = sweeps_per_month * RCU_PER_4KB_EVENTUAL * USD_PER_MILLION_RRU / 1e6
    per_dose_sweep_usd = (
        RCU_PER_4KB_EVENTUAL * math.ceil(item_kb / 4)
    ) * USD_PER_MILLION_RRU / 1e6 + 2 * USD_PER_MILLION_WRU / 1e6
    per_dose_scheduler_usd = USD_PER_MILLION_SCHEDULER / 1e6 + 2 * USD_PER_MILLION_WRU / 1e6
    figures = {
        "patients": patients,
        "doses_in_index": patients * 2,
        "due": due,
        "load_seconds": round(loaded_s, 1),
        "sweep_seconds": round(sweep_s, 3),
        "sweep": report.as_dict(),
        "repeated_sweep": again.as_dict(),
        "dynamodb_queries": swept["queries"],
        "dynamodb_items_read": swept["items"],
        "dynamodb_items_scanned": swept["scanned"],
        "repeated_sweep_items_read": reads["items"] - swept["items"],
        "item_kb": round(item_kb, 2),
        "read_units": rcu,
        "usd_per_patient_month_sweep_one_dose": round(per_dose_sweep_usd, 9),
        "usd_per_month_idle_sweeps_whole_system": round(idle_query_usd, 6),
        "usd_per_patient_month_scheduler_one_dose": round(per_dose_scheduler_usd, 9),
    }
    return figures


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    f = main(*args)
    print(
        f"dose sweep: {f['patients']:,} patients ({f['doses_in_index']:,} pending checks in the "
        f"index), {f['due']} due now"
    )
    print(
        f"  one sweep: {f['sweep_seconds']} s (moto in-process), started {f['sweep']['started']}, "
        f"{f['dynamodb_queries']} DynamoDB queries reading {f['dynamodb_items_read']} items "
        f"({f['dynamodb_items_scanned']} scanned) = {f['read_units']} RCU at {f['item_kb']} KB an item"
    )
    print(
        f"  the same sweep again: started {f['repeated_sweep']['started']}, "
        f"due {f['repeated_sweep']['due']}, {f['repeated_sweep_items_read']} items read "
        "(the first took them out of the due partition)"
    )
    print(
        f"  per patient-month (one dose): sweep ${f['usd_per_patient_month_sweep_one_dose']:.7f} "
        f"vs a one-time Scheduler schedule ${f['usd_per_patient_month_scheduler_one_dose']:.7f}; "
        f"hourly sweeps with nothing due: ${f['usd_per_month_idle_sweeps_whole_system']:.5f}/month in all"
    )
