"""The 278 as a grammar: 005010X217 request and response, 005010X215 inquiry and response
(ASC X12N/005010X217 and X215, section 2.4; stupidedi ``guides/005010/X217-HI278.rb``).

One grammar serves all four because they share the hierarchy: 2000A UMO (HL 20), 2000B
requester (21), 2000C subscriber (22), 2000D dependent (23), 2000E patient event (EV, under 22
or 23) with its 2010EA providers, and 2000F service (SS, under EV). What differs is which
segments are filled in (HCR only in responses).
"""

from __future__ import annotations

from intake.x12.grammar import Element, HLLoop, Loop, SegmentUse, TransactionSet, codes, uses
from intake.x12.t270.grammar import NM1
from intake.x12.t271.grammar import AAA

ACTION_CODES = codes("A1", "A2", "A3", "A4", "A6", "C", "CT", "D", "IP", "NA")
"""HCR01 (X217 2000E/2000F health care services review decision)."""
BHT = SegmentUse(
    "BHT",
    "R",
    1,
    elements=(
        Element(1, "R", codes("0007", "0078"), "hierarchical structure code"),
        Element(2, "R", codes("01", "11", "13", "18"), "transaction set purpose code"),
    ),
)
HCR = SegmentUse(
    "HCR",
    max_use=1,
    elements=(Element(1, "R", ACTION_CODES, "action code"), Element(2), Element(3)),
)
PARTY = (NM1, *uses("REF:9 N3 N4 PER PRV"), AAA)
MEMBER = (NM1, *uses("REF:9 N3 N4 DMG INS"), AAA)
REVIEW = (
    *uses("TRN:2"),
    AAA,
    *uses("UM:1"),
    HCR,
    *uses("REF:9 DTP:9 HSD MSG PWK:10 CRC CL1 CR1 CR2 CR4 CR5 CR6 CR7 CR8 HI PRV"),
)
SERVICE_IDS = ("SV1", "SV2", "SV3", "TOO")

T278 = TransactionSet(
    "278",
    "005010X217",
    "HI",
    header=(BHT,),
    levels=(
        HLLoop("2000A", "20", "UMO", (), Loop("2000A", PARTY)),
        HLLoop("2000B", "21", "requester", ("20",), Loop("2000B", PARTY)),
        HLLoop("2000C", "22", "subscriber", ("21",), Loop("2000C", MEMBER)),
        HLLoop("2000D", "23", "dependent", ("22",), Loop("2000D", MEMBER)),
        HLLoop(
            "2000E",
            "EV",
            "patient event",
            ("22", "23"),
            Loop("2000E", (*REVIEW, Loop("2010EA", PARTY[1:], trigger=NM1))),
        ),
        HLLoop(
            "2000F",
            "SS",
            "service",
            ("EV",),
            Loop("2000F", (*REVIEW, *uses(" ".join(SERVICE_IDS)))),
        ),
    ),
)
