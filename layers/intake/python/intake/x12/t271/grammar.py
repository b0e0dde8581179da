"""The 005010X279A1 271 as a grammar (ASC X12N/005010X279A1, section 2.4: 271 transaction set
listing; stupidedi ``guides/005010/X279-HB271.rb``, pyx12 ``map/271.5010.X279.A1.xml``).

Loops 2000A-D are HL loops; their segments are read as loops 2100A-D (the name and what follows
it, TRN included), benefit lines as 2110C/D (EB opens one) and related entities as 2120C/D
inside LS … LE. The 2100A/B loops are the 270's with the AAA a payer adds.
"""

from __future__ import annotations

from intake.x12.grammar import Element, HLLoop, Loop, SegmentUse, TransactionSet, codes, uses
from intake.x12.t270.grammar import BHT, NM1, RECEIVER, SOURCE

ELIGIBILITY_CODES = codes(*"12345678ABCDEFGHIJKLMNOPQRSTUVWXY", "CB", "MC")
"""EB01 (X279A1 2110C): 1 active coverage … 6 inactive, A co-insurance, B co-payment, C
deductible, CB coverage basis, MC managed care coordinator."""
COVERAGE_LEVELS = codes("CHD", "DEP", "ECH", "EMP", "ESP", "FAM", "IND", "SPC", "SPO")  # EB02
TIME_PERIODS = codes(
    *[
        "6",
        "7",
        "13",
        "21",
        "22",
        "23",
        "24",
        "25",
        "26",
        "27",
        "28",
        "29",
        "30",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
    ]
)  # EB06: 6 hour, 7 day, 13 24 hours, 21 years … 29 remaining, 32 lifetime, 36 admission
INDICATORS = codes("Y", "N", "U", "W")  # EB11 (Y, N, U unknown), EB12 (also W not applicable)
FOLLOW_UP = codes("C", "N", "P", "R", "S", "W", "X", "Y")  # AAA04

AAA = SegmentUse(
    "AAA",
    max_use=9,
    elements=(
        Element(1, "R", codes("Y", "N"), "valid request indicator"),
        Element(2, "N"),
        Element(3, "R", name="reject reason code"),
        Element(4, "R", FOLLOW_UP, "follow-up action code"),
    ),
)
EB = SegmentUse(
    "EB",
    "R",
    elements=(
        Element(1, "R", ELIGIBILITY_CODES, "eligibility or benefit information code"),
        Element(2, "S", COVERAGE_LEVELS, "coverage level code"),
        Element(3, "S", name="service type code (repeats)"),
        Element(6, "S", TIME_PERIODS, "time period qualifier"),
        Element(11, "S", INDICATORS, "authorization or certification indicator"),
        Element(12, "S", INDICATORS, "in plan network indicator"),
    ),
)


def _member(suffix: str) -> Loop:
    related = Loop(f"2120{suffix}", uses("N3 N4 PER:3 PRV"), trigger=SegmentUse("NM1", "R"))
    bounded = Loop(
        f"LS{suffix}", (related,), SegmentUse("LS"), "LE", label=f"2120{suffix} (inside LS…LE)"
    )
    benefit = Loop(
        f"2110{suffix}", (*uses("HSD:9 REF:9 DTP:20"), AAA, *uses("MSG:10 III:10"), bounded), EB
    )
    header = (*uses("TRN:3"), NM1, *uses("REF:9 N3 N4"), AAA, *uses("PRV DMG INS HI DTP:9 MPI"))
    return Loop(f"2100{suffix}", (*header, benefit))


T271 = TransactionSet(
    "271",
    "005010X279A1",
    "HB",
    header=(BHT,),
    levels=(
        HLLoop("2000A", "20", "information source", (), Loop("2100A", (*SOURCE, AAA))),
        HLLoop("2000B", "21", "information receiver", ("20",), Loop("2100B", (*RECEIVER, AAA))),
        HLLoop("2000C", "22", "subscriber", ("21",), _member("C")),
        HLLoop("2000D", "23", "dependent", ("22",), _member("D")),
    ),
)
