"""Generate a realistic, fictional payer directory for the sandbox (seeded: the same seed gives
the same bytes).

    .venv/bin/python scripts/generate_directory.py OUT_DIR [--payers 1000] [--plans 3000]
        [--drugs 50] [--seed 26]

Writes the directory's eight CSV files (docs/directory.md) into OUT_DIR. The shipped sandbox
payers (``intake/data/directory``) come first, unchanged, so every sample resolves as before;
the rest are generated: Blue Cross Blue Shield companies per state, national and regional
commercial carriers, Medicaid managed care and Medicare Advantage plans per state, Original
Medicare contractors per jurisdiction, Medigap carriers and PBMs, each with aliases, a
clearinghouse id, plans with their copay assistance policy (mostly unknown: directories rarely
state it), a contract (most in network) with rates, prior-authorization policies for some of
the drugs, and routes. Every name, id, number and policy is fictional; drug codes are the
contracts catalog's HCPCS codes and, past those, NDCs under the fictional labeler 99999.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from intake.directory.csvfiles import read_directory, write_directory
from intake.directory.model import (
    ContractEntry,
    PayerEntry,
    PlanEntry,
    PlanType,
    PolicyEntry,
    RouteEntry,
)
from intake.directory.store import shipped_files
from intake.reference.contracts import CodeKind, load_contracts

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
JURISDICTIONS = ("J5", "J6", "J8", "J15", "JE", "JF", "JH", "JJ", "JK", "JL", "JM", "JN")
WORDS = (
    "Summit", "Harbor", "Prairie", "Keystone", "Cascade", "Pioneer", "Liberty", "Evergreen",
    "Granite", "Heartland", "Lakeshore", "Meridian", "Northstar", "Redwood", "Sierra",
    "Silverline", "Sunrise", "Tidewater", "Valley", "Willow", "Cornerstone", "Beacon",
)  # fmt: skip
KINDS = ("Health Plan", "Health", "Health Partners", "Community Health", "Care", "Mutual")
PRODUCTS = ("HMO", "PPO", "EPO", "POS", "HDHP")
DOCUMENTATION = (
    ("TB test", "Hepatitis B screen", "Prior therapy failure", "Patient weight"),
    ("Immunoglobulin (IgG) levels", "Recurrent infection history", "Patient weight"),
    ("Neurology notes and MRI", "Hepatitis B screen"),
    ("Culture and sensitivity results", "Labs (CBC, CMP)"),
    (),
)
AS_OF = date(2026, 11, 1)


def _drugs(count: int) -> list[str]:
    catalog = load_contracts()
    codes = sorted(c for c, v in catalog.codes.items() if v.kind is CodeKind.DRUG)
    fictional = [f"99999{n:04d}01" for n in range(1, max(0, count - len(codes)) + 1)]
    return (codes + fictional)[:count]


def _rates(rng: random.Random, level: float) -> dict[str, Decimal]:
    base = load_contracts().default.rates
    return {
        code: (rate * Decimal(str(round(level * rng.uniform(0.9, 1.1), 3)))).quantize(
            Decimal("0.01") if rate >= 1 else Decimal("0.001")
        )
        for code, rate in base.items()
    }


def _names(rng: random.Random) -> list[tuple[str, PlanType, tuple[str, ...], list[str]]]:
    """(name, plan type, states, aliases) of every generated payer, in directory order."""
    out: list[tuple[str, PlanType, tuple[str, ...], list[str]]] = []
    for code, state in STATES.items():
        out.append(
            (f"Blue Cross and Blue Shield of {state}", "commercial", (code,), [f"BCBS {code}"])
        )
    for carrier in ("UnitedHealthcare", "Aetna", "Cigna Healthcare", "Humana", "Anthem"):
        out.append((carrier, "commercial", (), [carrier.upper()]))
    for code, state in STATES.items():
        out.append((f"{state} Medicaid", "medicaid", (code,), [f"{code} Medicaid"]))
        out.append(
            (
                f"{rng.choice(WORDS)} Medicare Advantage of {state}",
                "medicare_advantage",
                (code,),
                [],
            )
        )
    for jurisdiction in JURISDICTIONS:
        out.append((f"Medicare Part B Jurisdiction {jurisdiction}", "original_medicare", (), []))
    for n in range(1, 11):
        out.append((f"{rng.choice(WORDS)} Medicare Supplement {n}", "medigap", (), []))
        out.append((f"{rng.choice(WORDS)} Rx Benefits {n}", "pbm", (), []))
    seen = {name for name, *_ in out}
    while True:
        code = rng.choice(sorted(STATES))
        name = f"{rng.choice(WORDS)} {rng.choice(KINDS)} of {STATES[code]}"
        if name not in seen:
            seen.add(name)
            aliases = [name.replace(" of ", " ").replace("Health", "Hlth")]
            out.append(
                (
                    name,
                    "commercial",
                    (code, *rng.sample(sorted(STATES), rng.randint(0, 2))),
                    aliases,
                )
            )
        if len(out) >= 5000:
            return out


def generate(payers: int, plans: int, drugs: int, seed: int) -> dict[str, bytes]:
    rng = random.Random(seed)
    sandbox = read_directory(shipped_files()).entries
    entries: list[PayerEntry] = list(sandbox.values())
    codes = _drugs(drugs)
    pbms: list[str] = []
    plans_left = plans - sum(len(e.plans) for e in entries)
    wanted = payers - len(entries)
    chosen = _names(rng)[:wanted]
    for number, (name, plan_type, states, aliases) in enumerate(chosen, 1):
        payer_id = f"P{number:05d}"
        order = len(entries) + 1
        house_id = f"{60000 + number * 7:05d}"
        per_payer = 0 if plan_type == "pbm" else -(-plans_left // max(1, wanted - number + 1))
        plans_left -= per_payer
        plan_rows = tuple(
            PlanEntry(
                plan_key=f"{payer_id}-G{k:03d}",
                plan_name=f"{name} {rng.choice(PRODUCTS)} {k}",
                product=rng.choice(PRODUCTS),
                copay_assistance_policy=rng.choices(
                    ("unknown", "accumulator", "maximizer", "standard"), (70, 12, 8, 10)
                )[0],
                source="generated (fictional)",
            )
            for k in range(1, per_payer + 1)
        )
        in_network = plan_type != "pbm" and rng.random() < 0.85
        contracts: list[ContractEntry] = []
        if plan_type != "pbm":
            contracts.append(
                ContractEntry(
                    in_network=in_network,
                    schedule=f"{payer_id} home infusion fee schedule 2026",
                    effective_from=date(2026, 1, 1),
                    effective_to=date(2026, 12, 31),
                    rates=_rates(rng, 0.8 if in_network else 0.95),
                )
            )
            for plan in plan_rows[: rng.randint(0, min(2, len(plan_rows)))]:
                contracts.append(
                    ContractEntry(
                        plan_key=plan.plan_key,
                        in_network=rng.random() < 0.7,
                        effective_from=date(2026, 1, 1),
                    )
                )
        policies = (
            {
                code: PolicyEntry(
                    required=rng.random() < 0.8,
                    documentation=rng.choice(DOCUMENTATION),
                    policy=f"{payer_id}-RX-{index:03d}",
                    source=f"generated (fictional) medical policy {payer_id}-RX-{index:03d}",
                    as_of=AS_OF,
                )
                for index, code in enumerate(
                    sorted(rng.sample(codes, rng.randint(5, len(codes) // 2))), 1
                )
            }
            if plan_type != "pbm"
            else {}
        )
        routes = (
            [RouteEntry(channel="x12_278", value=house_id)]
            if plan_type != "original_medicare"
            else []
        )
        routes.append(RouteEntry(channel="fax", value=f"800-555-{rng.randint(1000, 9999)}"))
        if rng.random() < 0.5:
            routes.append(
                RouteEntry(channel="portal", value=f"https://pa.{payer_id.lower()}.example/")
            )
        pbm = (
            rng.choice(pbms) if pbms and plan_type == "commercial" and rng.random() < 0.3 else None
        )
        if pbm:
            routes.append(RouteEntry(channel="pbm", value=pbm))
        if plan_type == "pbm":
            pbms.append(payer_id)
        entries.append(
            PayerEntry(
                payer_id=payer_id,
                name=name,
                plan_type=plan_type,
                states=tuple(sorted(set(states))),
                medicare_jurisdiction=name.rsplit(" ", 1)[1]
                if plan_type == "original_medicare"
                else None,
                demographic_270=rng.choices(("yes", "no", "unknown"), (30, 30, 40))[0],
                directory_order=order,
                pbm=pbm,
                source="generated (fictional) by scripts/generate_directory.py",
                aliases=tuple(aliases),
                clearinghouse_ids={"sandbox": house_id},
                plans=plan_rows,
                contracts=tuple(contracts),
                policies=policies,
                routes=tuple(routes),
            )
        )
    return write_directory(entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--payers", type=int, default=1000)
    parser.add_argument("--plans", type=int, default=3000)
    parser.add_argument("--drugs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=26)
    args = parser.parse_args(argv)
    files = generate(args.payers, args.plans, args.drugs, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (args.out / name).write_bytes(data)
    counts = read_directory(files).counts
    print(", ".join(f"{k} {v}" for k, v in counts.items()), "->", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
