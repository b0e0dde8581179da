"""Import and export of the directory's CSV files.

``read_directory`` checks every row of every file (its cells, then its references to other
files) and returns either the compiled directory or every problem, each named with its file,
line and reason: nothing is applied unless all rows of all files are good. ``write_directory``
writes the same files back from the compiled entries; reading what it wrote gives the same
directory (the round trip the tests hold it to).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from intake.directory import schema
from intake.directory.model import (
    ContractEntry,
    IndexEntry,
    NameIndex,
    PayerEntry,
    PlanEntry,
    PolicyEntry,
    RouteEntry,
)
from intake.directory.names import normalize

Row = dict[str, Any]


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    file: str
    line: int
    """1 is the header; 0: the file as a whole."""
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.reason}"
            if self.line
            else f"{self.file}: {self.reason}"
        )


class DirectoryInvalid(Exception):
    """The files have problems; none of them was applied."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        shown = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{len(self.problems)} problem(s), nothing applied: {shown}{more}")


@dataclass(frozen=True, slots=True)
class Compiled:
    entries: dict[str, PayerEntry]
    index: NameIndex
    counts: dict[str, int]
    checksum: str


@dataclass(slots=True)
class _Reader:
    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, list[tuple[int, Row]]] = field(default_factory=dict)
    unreadable_payers: set[str] = field(default_factory=set)
    """payers.csv ids whose rows had a bad cell: rows referring to them are not named again."""

    def parse(self, kind: schema.Kind, text: str) -> None:
        reader = csv.reader(io.StringIO(text))
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != kind.header:
            self.problems.append(Problem(kind.file, 1, f"header must be {','.join(kind.header)}"))
            return
        rows: list[tuple[int, Row]] = []
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(kind.columns):
                self.problems.append(
                    Problem(
                        kind.file, line, f"{len(cells)} cells, the header has {len(kind.columns)}"
                    )
                )
                continue
            row: Row = {}
            for column, cell in zip(kind.columns, cells, strict=True):
                try:
                    row[column.name] = column.parse(cell)
                except ValueError as exc:
                    self.problems.append(Problem(kind.file, line, f"{column.name}: {exc}"))
                    if kind is schema.PAYERS:
                        self.unreadable_payers.add(cells[0].strip().upper())
                    row = {}
                    break
            if row:
                rows.append((line, row))
        self.rows[kind.name] = rows

    def bad(self, kind: schema.Kind, line: int, reason: str) -> None:
        self.problems.append(Problem(kind.file, line, reason))


def checksum(files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for kind in schema.KINDS:
        digest.update(kind.file.encode() + b"\0" + files.get(kind.file, b"") + b"\0")
    return digest.hexdigest()


def read_directory(files: Mapping[str, bytes]) -> Compiled:
    """The directory the files describe, or DirectoryInvalid naming every problem."""
    reader = _Reader()
    for name in sorted(set(files) - set(schema.KIND_BY_FILE)):
        reader.problems.append(
            Problem(name, 0, f"not a directory file (expected {', '.join(schema.KIND_BY_FILE)})")
        )
    for kind in schema.KINDS:
        data = files.get(kind.file)
        if data is None:
            reader.problems.append(Problem(kind.file, 0, "missing (every file is needed)"))
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            reader.problems.append(Problem(kind.file, 0, f"not UTF-8 (byte {exc.start})"))
            continue
        reader.parse(kind, text)
    entries = _cross_check(reader) if len(reader.rows) == len(schema.KINDS) else {}
    if reader.problems:
        raise DirectoryInvalid(reader.problems)
    counts = {k.name: len(reader.rows[k.name]) for k in schema.KINDS}
    return Compiled(entries, build_index(entries.values()), counts, checksum(files))


def _cross_check(r: _Reader) -> dict[str, PayerEntry]:
    payers: dict[str, Row] = {}
    orders: dict[int, str] = {}
    for line, row in r.rows["payers"]:
        pid = row["payer_id"]
        if pid in payers:
            r.bad(schema.PAYERS, line, f"payer_id {pid} appears twice")
            continue
        if row["directory_order"] in orders:
            r.bad(
                schema.PAYERS,
                line,
                f"directory_order {row['directory_order']} is also {orders[row['directory_order']]}'s",
            )
        orders[row["directory_order"]] = pid
        payers[pid] = row
    for line, row in r.rows["payers"]:
        pbm = row["pbm"]
        if pbm and payers.get(pbm, {}).get("plan_type") != "pbm":
            r.bad(schema.PAYERS, line, f"pbm {pbm} is not a payer of plan_type pbm")

    def known(kind: schema.Kind, line: int, row: Row) -> bool:
        if row["payer_id"] in payers:
            return True
        if row["payer_id"] in r.unreadable_payers:
            return False
        r.bad(kind, line, f"payer_id {row['payer_id']} is not in payers.csv")
        return False

    aliases: dict[str, list[str]] = defaultdict(list)
    for line, row in r.rows["aliases"]:
        if known(schema.ALIASES, line, row):
            if row["alias"] in aliases[row["payer_id"]]:
                r.bad(schema.ALIASES, line, f"alias {row['alias']!r} appears twice")
            else:
                aliases[row["payer_id"]].append(row["alias"])
    ids: dict[str, dict[str, str]] = defaultdict(dict)
    taken: dict[tuple[str, str], str] = {}
    for line, row in r.rows["clearinghouse_ids"]:
        if not known(schema.CLEARINGHOUSE_IDS, line, row):
            continue
        house, their = row["clearinghouse"], row["clearinghouse_payer_id"]
        if house in ids[row["payer_id"]]:
            r.bad(schema.CLEARINGHOUSE_IDS, line, f"a second id at {house}")
        elif (house, their.upper()) in taken:
            r.bad(
                schema.CLEARINGHOUSE_IDS,
                line,
                f"{house} id {their} is already {taken[house, their.upper()]}'s",
            )
        else:
            ids[row["payer_id"]][house] = their
            taken[house, their.upper()] = row["payer_id"]
    plans: dict[str, list[PlanEntry]] = defaultdict(list)
    for line, row in r.rows["plans"]:
        if not known(schema.PLANS, line, row):
            continue
        if any(p.plan_key.upper() == row["plan_key"].upper() for p in plans[row["payer_id"]]):
            r.bad(schema.PLANS, line, f"plan_key {row['plan_key']} appears twice")
            continue
        plans[row["payer_id"]].append(
            PlanEntry(**{k: v for k, v in row.items() if k != "payer_id"})
        )
    contracts: dict[tuple[str, str | None], Row] = {}
    for line, row in r.rows["contracts"]:
        if not known(schema.CONTRACTS, line, row):
            continue
        pid, key = row["payer_id"], row["plan_key"]
        if key and not any(p.plan_key.upper() == key.upper() for p in plans[pid]):
            r.bad(schema.CONTRACTS, line, f"plan_key {key} is not a plan of {pid} in plans.csv")
            continue
        if (pid, key) in contracts:
            r.bad(
                schema.CONTRACTS, line, f"a second contract row for {pid} {key or '(payer-wide)'}"
            )
            continue
        if key is None and (row["in_network"] is None or row["schedule"] is None):
            r.bad(schema.CONTRACTS, line, "a payer-wide row needs in_network and schedule")
            continue
        if row["effective_to"] and row["effective_to"] < row["effective_from"]:
            r.bad(schema.CONTRACTS, line, "effective_to is before effective_from")
            continue
        contracts[pid, key] = {**row, "rates": {}}
    for line, row in r.rows["rates"]:
        target = contracts.get((row["payer_id"], row["plan_key"]))
        if row["payer_id"] in r.unreadable_payers:
            continue
        if target is None:
            r.bad(
                schema.RATES,
                line,
                f"no contracts.csv row for {row['payer_id']} {row['plan_key'] or '(payer-wide)'}",
            )
        elif row["code"] in target["rates"]:
            r.bad(schema.RATES, line, f"a second rate for {row['code']}")
        else:
            target["rates"][row["code"]] = row["rate"]
    policies: dict[str, dict[str, PolicyEntry]] = defaultdict(dict)
    for line, row in r.rows["pa_policies"]:
        if not known(schema.PA_POLICIES, line, row):
            continue
        if row["drug"] in policies[row["payer_id"]]:
            r.bad(schema.PA_POLICIES, line, f"a second policy for {row['drug']}")
            continue
        policies[row["payer_id"]][row["drug"]] = PolicyEntry(
            **{k: v for k, v in row.items() if k not in ("payer_id", "drug")}
        )
    routes: dict[str, list[RouteEntry]] = defaultdict(list)
    for line, row in r.rows["routes"]:
        if not known(schema.ROUTES, line, row):
            continue
        channel, value = row["channel"], row["value"]
        reason = None
        if channel in ("fax", "phone"):
            reason = schema.validate_phone(value)
        elif channel == "portal" and not value.startswith("https://"):
            reason = f"portal {value!r} is not an https:// address"
        elif channel == "pbm" and payers.get(value.upper(), {}).get("plan_type") != "pbm":
            reason = f"pbm {value} is not a payer of plan_type pbm"
        if reason:
            r.bad(schema.ROUTES, line, reason)
            continue
        routes[row["payer_id"]].append(
            RouteEntry(
                channel=channel,
                value=value.upper() if channel == "pbm" else value,
                drug=row["drug"],
            )
        )
    if r.problems:
        return {}
    by_payer: dict[str, list[ContractEntry]] = defaultdict(list)
    for (pid, _key), row in contracts.items():
        by_payer[pid].append(ContractEntry(**{k: v for k, v in row.items() if k != "payer_id"}))
    return {
        pid: PayerEntry(
            **row,
            aliases=tuple(aliases[pid]),
            clearinghouse_ids=ids[pid],
            plans=tuple(plans[pid]),
            contracts=tuple(by_payer[pid]),
            policies=policies[pid],
            routes=tuple(routes[pid]),
        )
        for pid, row in sorted(payers.items(), key=lambda item: item[1]["directory_order"])
    }


_INDEXED = set(IndexEntry.model_fields) - {"names", "plans"}


def build_index(entries: Iterable[PayerEntry]) -> NameIndex:
    return NameIndex(
        payers=tuple(
            IndexEntry(
                **e.model_dump(include=_INDEXED),
                names=tuple(dict.fromkeys(normalize(n) for n in (e.name, *e.aliases))),
                plans=tuple(dict.fromkeys(normalize(p.plan_name) for p in e.plans)),
            )
            for e in sorted(entries, key=lambda e: e.directory_order)
        )
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return ";".join(str(v) for v in value)
    return str(value)


def write_directory(entries: Iterable[PayerEntry]) -> dict[str, bytes]:
    """The CSV files of the entries (in directory order), as ``read_directory`` reads them."""
    rows: dict[str, list[list[str]]] = {k.name: [] for k in schema.KINDS}
    for e in sorted(entries, key=lambda e: e.directory_order):
        payer = e.model_dump()
        rows["payers"].append([_cell(payer[c]) for c in schema.PAYERS.header])
        rows["aliases"].extend([e.payer_id, a] for a in e.aliases)
        rows["clearinghouse_ids"].extend([e.payer_id, h, i] for h, i in e.clearinghouse_ids.items())
        for p in e.plans:
            plan = p.model_dump()
            rows["plans"].append([e.payer_id, *(_cell(plan[c]) for c in schema.PLANS.header[1:])])
        for c in e.contracts:
            contract = c.model_dump()
            rows["contracts"].append(
                [e.payer_id, *(_cell(contract[col]) for col in schema.CONTRACTS.header[1:])]
            )
            rows["rates"].extend(
                [e.payer_id, c.plan_key or "", code, str(rate)] for code, rate in c.rates.items()
            )
        for drug, pol in e.policies.items():
            policy = pol.model_dump()
            rows["pa_policies"].append(
                [e.payer_id, drug, *(_cell(policy[col]) for col in schema.PA_POLICIES.header[2:])]
            )
        rows["routes"].extend([e.payer_id, r.channel, r.value, r.drug or ""] for r in e.routes)
    files: dict[str, bytes] = {}
    for kind in schema.KINDS:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(kind.header)
        writer.writerows(rows[kind.name])
        files[kind.file] = out.getvalue().encode("utf-8")
    return files
