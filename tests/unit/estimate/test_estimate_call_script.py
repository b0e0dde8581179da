"""The liaison's cost-and-options call script, in English, Spanish and Chinese."""

from __future__ import annotations

import pytest

from intake.estimate import Contracts, render_call_script
from intake.estimate.model import Estimate
from intake.models.referral import Language
from tests.unit.estimate.builders import START, acc, benefits, line, priced


@pytest.fixture
def partly_met(contracts: Contracts) -> Estimate:
    """$500 deductible left, 20%: $860 then $460 a visit, $3,620 for 7 infusions."""
    summary = benefits(
        lines=(line("A", percent="0.2"),), deductible=acc("1500", "500"), oop=acc("8000", "6000")
    )
    return priced(summary, contracts, language=Language.SPANISH)


def test_given_english_when_rendered_then_amounts_deductible_and_programs(
    partly_met: Estimate,
) -> None:
    text = render_call_script(partly_met, Language.ENGLISH)
    assert "You have $500.00 left to meet on your deductible" in text
    assert "about $860.00 for your first infusion, and about $460.00" in text
    assert "For the 7 infusions planned through December 7, 2026" in text
    assert "about $3,620.00" in text
    assert "Janssen CarePath" in text  # commercial plan over the $1,000 threshold
    assert "This is an estimate, not a bill." in text


def test_given_spanish_when_rendered_then_natural_spanish(partly_met: Estimate) -> None:
    text = render_call_script(partly_met)  # the estimate's language
    assert "Le quedan $500.00 de su deducible" in text
    assert "hasta el 7 de diciembre de 2026" in text
    assert "Esto es un cálculo aproximado, no una factura." in text


def test_given_chinese_when_rendered_then_chinese_amounts_and_dates(partly_met: Estimate) -> None:
    text = render_call_script(partly_met, Language.CHINESE)
    assert "免赔额还剩500.00美元" in text
    assert "到2026年12月7日为止计划进行的7次输液" in text
    assert "3,620.00美元" in text


@pytest.mark.parametrize("language", list(Language))
def test_given_nothing_owed_when_rendered_then_says_so_without_programs(
    contracts: Contracts,
    language: Language,
) -> None:
    summary = benefits(lines=(line("B", amount="0"),), deductible=acc("0"), insurance_type="MC")
    e = priced(summary, contracts)
    text = render_call_script(e, language)
    assert {
        "en": "should not owe anything",
        "es": "no debería pagar nada",
        "zh": "不需要支付任何费用",
    }[language.value] in text
    assert not e.assistance_recommended


def test_given_out_of_network_when_rendered_then_balance_billing_said(
    contracts: Contracts,
) -> None:
    summary = benefits(
        payer_id="OON",
        lines=(line("A", percent="0.4", in_network=False),),
        deductible=acc("0", "0"),
        oop=acc("9000", "9000"),
        out_of_network=True,
    )
    e = priced(summary, contracts)
    assert "billed the difference" in render_call_script(e, Language.ENGLISH)
    assert "cobrarle la diferencia" in render_call_script(e, Language.SPANISH)
    assert "差额" in render_call_script(e, Language.CHINESE)


def test_given_course_across_plan_years_when_rendered_then_each_year_said(
    contracts: Contracts,
) -> None:
    """From 2026-09-01: $1,500 in 2026 (3 infusions), $3,040 in 2027 (4), as in the worked
    example of the two plan years."""
    summary = benefits(
        lines=(line("A", percent="0.2"),), deductible=acc("1500", "150"), oop=acc("5000", "5000")
    )
    e = priced(summary, contracts, start=START.replace(month=9, day=1))
    text = render_call_script(e, Language.ENGLISH)
    assert "about $1,500.00 through December 31, 2026, and about $3,040.00 from January 1" in text
    assert "2027年1月1日起约3,040.00美元" in render_call_script(e, Language.CHINESE)
