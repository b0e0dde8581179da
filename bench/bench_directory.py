"""Payer directory figures (not tests): import of a 1,000-payer directory and lookups.

    .venv/bin/python bench/bench_directory.py

Generates the sandbox directory of ``scripts/generate_directory.py`` (1,000 payers, 3,000
plans, 50 drugs' policies; seeded), then measures, against the table in in-process moto (the
same adapter the Lambdas use; moto's per-request cost stands in for DynamoDB's network):

- the import: validation of every row of every file, then the version written and made
  current (the budget: under a minute);
- a lookup by payer id: the first in a container (the pointer and the payer's item: two
  GetItems, whose latency is DynamoDB's; moto's figure is its own Python request handling),
  what decoding the item costs, and warm (cached by version): the budget holds the
  decode and the warm lookup;
- name resolution (the index read once per version, then per name), and discovery's likely
  payers for a state.

Prints medians of repeated runs; exits non-zero over the budgets (import 60 s, lookup 5 ms).
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial

import boto3
from moto import mock_aws

from intake.adapters.dynamodb_directory import DynamoDbDirectory, _unpack
from intake.directory.csvfiles import read_directory
from intake.directory.model import PayerEntry
from intake.directory.service import PayerDirectory
from intake_local.template import PROJECT_ROOT, load_template

IMPORT_BUDGET_S = 60.0
LOOKUP_BUDGET_MS = 5.0
NAMES = ("BCBS TX", "Blue Cross Blue Shield of Texas", "UHC", "Sandbox Health PPO", "Aetna")


def _generate() -> dict[str, bytes]:
    spec = importlib.util.spec_from_file_location(
        "generate_directory", PROJECT_ROOT / "scripts" / "generate_directory.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files: dict[str, bytes] = module.generate(1000, 3000, 50, 26)
    return files


def _table() -> str:
    props = load_template()["Resources"]["IntakeTable"]["Properties"]
    args = {
        k: props[k]
        for k in ("BillingMode", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")
        if k in props
    }
    boto3.client("dynamodb").create_table(TableName="bench-directory", **args)
    return "bench-directory"


def _first_lookup(table: str, payer_id: str) -> object:
    return PayerDirectory(DynamoDbDirectory(table)).payer(payer_id)


def _ms(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(key, "bench")
    files = _generate()
    start = time.perf_counter()
    compiled = read_directory(files)
    validate_s = time.perf_counter() - start
    counts = ", ".join(f"{k} {v}" for k, v in compiled.counts.items())
    print(f"directory: {counts}; {sum(len(b) for b in files.values()) / 1e6:.1f} MB of CSV")
    with mock_aws():
        table = _table()
        directory = PayerDirectory(DynamoDbDirectory(table))
        start = time.perf_counter()
        directory.import_files(files, "bench")
        import_s = time.perf_counter() - start
        print(
            f"import: {import_s:.1f} s (validation {validate_s:.1f} s; budget {IMPORT_BUDGET_S:.0f} s)"
        )

        ids = [f"P{n:05d}" for n in range(1, 992, 37)]
        cold = statistics.median(_ms(partial(_first_lookup, table, i), 1) for i in ids)
        first_reads = []
        for i in ids:
            container = PayerDirectory(DynamoDbDirectory(table))
            container.version()
            first_reads.append(_ms(partial(container.payer, i), 1))
        first = statistics.median(first_reads)
        warm_directory = PayerDirectory(DynamoDbDirectory(table))
        for i in ids:
            warm_directory.payer(i)
        warm = statistics.median(_ms(partial(warm_directory.payer, i), 50) for i in ids)
        item = (
            boto3.resource("dynamodb")
            .Table(table)
            .get_item(Key={"pk": f"DIRECTORY#{directory.version()}", "sk": "PAYER#P00500"})["Item"]
        )
        decode_ms = _ms(lambda: PayerEntry.model_validate_json(_unpack(item)), 50)
        index_ms = _ms(lambda: PayerDirectory(DynamoDbDirectory(table)).index(), 5)
        resolve_ms = statistics.median(
            _ms(partial(warm_directory.resolve, None, n), 50) for n in NAMES
        )
        likely_ms = _ms(lambda: warm_directory.likely_payers("TX", 20), 50)
    print("first read of a payer in a container (moto's in-process request handling, not")
    print(f"  DynamoDB's latency): pointer + payer item {cold:.2f} ms, payer item {first:.2f} ms")
    print(f"payer item decoded (zlib + model, what the read costs the Lambda): {decode_ms:.3f} ms")
    print(f"lookup by id, warm: {warm:.3f} ms median")
    print(f"name index read (once per version per container): {index_ms:.1f} ms median")
    print(f"name resolution, index warm: {resolve_ms:.3f} ms median")
    print(f"likely payers (TX, 20): {likely_ms:.3f} ms median")
    over = (
        import_s > IMPORT_BUDGET_S or max(decode_ms, warm, resolve_ms, likely_ms) > LOOKUP_BUDGET_MS
    )
    if over:
        print("OVER BUDGET", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
