"""The public 271 corpus (``tests/corpus/x12_271``): 271s other projects wrote, each read as
the YAML beside it says, a YAML written by hand from the file before the reader ran on it.

Older (4010) and sloppier senders' files are read where their content is whole, with a warning
naming what was off (version, counts, control numbers); a file whose content is not whole is
refused with the reason (``outcome: refused``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from intake.eligibility.benefits.interpret import interpret_271
from intake.models.benefits import BenefitsSummary
from intake.x12.errors import X12Error

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "x12_271"
EXPECTED = sorted(CORPUS.glob("*.yaml"))


def _rejections(s: BenefitsSummary) -> set[str]:
    return {f"{r.code} {r.loop} {r.follow_up}" for r in s.rejections}


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _plan_figures(s: BenefitsSummary) -> dict[str, Decimal]:
    """Every plan-level figure the summary states (deductible and out-of-pocket totals, remaining
    and met, by network and level; coinsurance by network), keyed by where it sits."""
    found: dict[str, Decimal] = {}
    for name, by_network in (
        ("deductible", s.summary.deductible),
        ("oop", s.summary.out_of_pocket),
    ):
        for net in ("in_network", "out_of_network"):
            for level in ("individual", "family"):
                acc = getattr(getattr(by_network, net), level)
                for field in ("total", "remaining", "met"):
                    value = getattr(acc, field)
                    if value is not None:
                        found[f"{name}.{net}.{level}.{field}"] = value
    for net in ("in_network", "out_of_network"):
        value = getattr(s.coinsurance, net)
        if value is not None:
            found[f"coinsurance.{net}"] = value
    return found


def _check_patient(s: BenefitsSummary, want: Mapping[str, Any]) -> None:
    names = {"last_name": s.patient.last_name, "first_name": s.patient.first_name}
    for key in ("last_name", "first_name"):
        if key in want:
            assert names[key] == want[key]
    if "dependent" in want:
        assert s.is_dependent is want["dependent"]
    assert s.status.value == want["status"]
    if "plan_begin" in want:
        begin = None if s.plan.begin is None else s.plan.begin.isoformat()
        assert begin == want["plan_begin"]
    if "eligibility_date" in want:
        day = s.plan.eligibility_date
        assert (None if day is None else day.isoformat()) == want["eligibility_date"]
    if "copay_in_network" in want:
        assert s.copay.in_network == _decimal(want["copay_in_network"])
        assert s.copay.out_of_network == _decimal(want["copay_out_of_network"])
    if want.get("medical_plan_figures") == "none":
        assert _plan_figures(s) == {}, "a figure was taken from a line that states none"
    if "line_domains" in want:
        domains = {b.segment: b.domain for b in s.benefits}
        assert {seg: domains.get(seg, "no such line") for seg in want["line_domains"]} == dict(
            want["line_domains"]
        )
    if "other_payer_entities" in want:
        names = [e.name for b in s.benefits if b.code == "R" for e in b.related_entities]
        assert names == want["other_payer_entities"]
    if "pcp" in want:
        entities = [e.name for b in s.benefits if b.code == "L" for e in b.related_entities]
        assert any(want["pcp"] in name for name in entities)
    if "rejections" in want:
        assert _rejections(s) == set(want["rejections"])
    if "rejections_include" in want:
        assert set(want["rejections_include"]) <= _rejections(s)
    if "other_payers" in want:
        assert [b.insurance_type for b in s.benefits if b.code == "R"] == [
            str(t) for t in want["other_payers"]
        ]
    if "infusion_coverage" in want:
        assert s.infusion_coverage == want["infusion_coverage"]


def test_the_corpus_holds_at_least_15_files_each_with_its_source() -> None:
    """Given the corpus folder, when listed, then at least 15 271s each have a YAML naming the
    repository, path, commit and licence they came from."""
    assert len(EXPECTED) >= 15
    for path in EXPECTED:
        source = yaml.safe_load(path.read_text(encoding="utf-8"))["source"]
        assert set(source) == {"repo", "path", "commit", "licence"}
        assert path.with_suffix(".271").is_file()


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.stem)
def test_each_public_271_reads_as_written_by_hand(expected: Path) -> None:
    """Given a public 271 and what a person read in it, when the reader reads it (not strict,
    as the benefits check does), then it finds the same patients, statuses, figures and
    rejections, and warns about what the sender got wrong; or refuses it, saying why."""
    want = yaml.safe_load(expected.read_text(encoding="utf-8"))
    text = expected.with_suffix(".271").read_text(encoding="utf-8")
    if want["outcome"] == "refused":
        with pytest.raises(X12Error, match=want["refused_because"]):
            interpret_271(text)
        return
    summaries = interpret_271(text)
    assert len(summaries) == len(want["patients"])
    for summary, patient in zip(summaries, want["patients"], strict=True):
        if "payer" in want:
            assert summary.payer.name == want["payer"]
        _check_patient(summary, patient)
    warnings = summaries[0].warnings
    if not want["warnings"]:
        assert warnings == ()
    for fragment in want["warnings"]:
        assert any(fragment in w for w in warnings), (fragment, warnings)
