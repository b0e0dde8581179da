"""The 005010X279A1 270 as a grammar (ASC X12N/005010X279A1, section 2.4: 270 transaction set
listing; stupidedi ``guides/005010/X279-HS270.rb``, pyx12 ``map/270.5010.X279.A1.xml``).

The reader accepts any valid 270 (the sandbox payer answers what clients send), so the loops
hold every segment the guide allows, not only those ``build_270`` writes. The 2110C/D
eligibility loops (EQ …) are read flat with their 2100 loop, as the reader maps them.
"""

from __future__ import annotations

from intake.x12.grammar import Element, HLLoop, Loop, SegmentUse, TransactionSet, codes, uses

NM1 = SegmentUse("NM1", "R", max_use=1)
BHT = SegmentUse(
    "BHT",
    "R",
    1,
    elements=(
        Element(1, "R", codes("0022"), "hierarchical structure code"),
        Element(2, "R", codes("01", "11", "13", "36"), "transaction set purpose code"),
    ),
)
SOURCE = (NM1, *uses("PER:3"))
RECEIVER = (NM1, *uses("REF:9 N3 N4 PRV"))


def _patient(suffix: str) -> Loop:
    return Loop(
        f"2100{suffix}",
        items=(*uses("TRN:2"), NM1, *uses("REF:9 N3 N4 PRV DMG INS HI DTP MPI EQ:99 AMT III")),
    )


T270 = TransactionSet(
    "270",
    "005010X279A1",
    "HS",
    header=(BHT,),
    levels=(
        HLLoop("2000A", "20", "information source", (), Loop("2100A", items=SOURCE)),
        HLLoop("2000B", "21", "information receiver", ("20",), Loop("2100B", items=RECEIVER)),
        HLLoop("2000C", "22", "subscriber", ("21",), _patient("C")),
        HLLoop("2000D", "23", "dependent", ("22",), _patient("D")),
    ),
)
