"""Name resolution: a referral's payer by id, by name or alias (accents, punctuation and
abbreviations from the data file), by the 271's own payer; several fits are an answer
(candidates for a person), never a guess."""

from __future__ import annotations

import pytest

from intake.directory.csvfiles import build_index
from intake.directory.model import NameIndex, PayerEntry
from intake.directory.names import normalize
from intake.directory.resolve import by_name, resolve, resolve_271


def _payer(
    order: int, payer_id: str, name: str, *aliases: str, ch: str | None = None
) -> PayerEntry:
    return PayerEntry(
        payer_id=payer_id,
        name=name,
        plan_type="commercial",
        directory_order=order,
        aliases=aliases,
        clearinghouse_ids={"sandbox": ch} if ch else {},
    )


INDEX: NameIndex = build_index(
    [
        _payer(1, "BCBSTX", "Blue Cross and Blue Shield of Texas", ch="84980"),
        _payer(2, "BCBSIL", "Blue Cross and Blue Shield of Illinois", ch="00621"),
        _payer(3, "UHC", "UnitedHealthcare"),
        _payer(4, "MUTUA", "Mútua Saúde Seguros"),
        _payer(5, "AETNA", "Aetna", "Aetna Life Insurance Company"),
        _payer(6, "AETNABH", "Aetna Better Health of Texas"),
    ]
)


@pytest.mark.parametrize(
    ("written", "comparable"),
    [
        ("Blue Cross & Blue Shield of Texas, Inc.", "blue cross blue shield texas"),
        ("BCBS TX", "blue cross blue shield texas"),
        ("UHC", "unitedhealthcare"),
        ("United Health Care", "unitedhealthcare"),
        ("MÚTUA SAÚDE SEGUROS", "mutua saude seguros"),
    ],
)
def test_names_are_made_comparable(written: str, comparable: str) -> None:
    """Given a payer name as cards and referrals write it
    When it is normalized
    Then accents, case, punctuation, legal forms and the data file's abbreviations are gone,
    because the same payer is written many ways and must match itself."""
    assert normalize(written) == comparable


@pytest.mark.parametrize(
    ("written", "payer_id", "how"),
    [
        ("Blue Cross Blue Shield of Texas", "BCBSTX", "name"),
        ("BCBS of TX", "BCBSTX", "name"),
        ("uhc", "UHC", "name"),
        ("Mutua Saude Seguros", "MUTUA", "name"),
        ("AETNA LIFE INSURANCE CO.", "AETNA", "alias"),
    ],
)
def test_a_name_or_alias_resolves_to_its_payer(written: str, payer_id: str, how: str) -> None:
    """Given a directory with two Blue Cross plans, UnitedHealthcare, an accented name and an
    alias
    When a name is resolved
    Then the one payer it names is found, and how, because the referral's payer decides the
    270's recipient, the contract and the policy."""
    found = by_name(INDEX, written)

    assert (found.status, found.payer_id, found.how) == ("resolved", payer_id, how)


@pytest.mark.parametrize(
    ("written", "candidates"),
    [
        ("BCBS", ("BCBSTX", "BCBSIL")),
        ("Blue Cross", ("BCBSTX", "BCBSIL")),
        ("Aetna Texas", ("AETNA", "AETNABH")),  # Aetna in Texas, or its Texas Medicaid plan
    ],
)
def test_a_name_that_fits_several_or_only_part_is_ambiguous(
    written: str, candidates: tuple[str, ...]
) -> None:
    """Given names that are part of one or more payers' names, none whole
    When resolved
    Then the answer is the candidates for a person to choose, never the first of them,
    because 'BCBS' is a family of independent companies with separate contracts."""
    found = by_name(INDEX, written)

    assert found.status == "ambiguous" and found.payer_id is None
    assert found.candidates == candidates


def test_an_id_wins_and_a_name_naming_another_payer_is_a_conflict() -> None:
    """Given a referral whose payer id is one payer's and whose name is another's
    When resolved
    Then both are candidates, because one of the two is wrong and only the card can say."""
    assert resolve(INDEX, "BCBSTX", "Blue Cross Blue Shield of Texas").payer_id == "BCBSTX"
    assert resolve(INDEX, "bcbstx", None).how == "id"

    conflict = resolve(INDEX, "BCBSTX", "UHC")

    assert conflict.status == "ambiguous" and conflict.candidates == ("BCBSTX", "UHC")


def test_the_271s_payer_resolves_by_its_clearinghouse_id() -> None:
    """Given a 271 whose NM1*PR names the payer by the clearinghouse's id
    When resolved
    Then the directory's payer is found by that id, because the 271 names the payer as the
    clearinghouse knows it, not as the pharmacy does."""
    found = resolve_271(INDEX, "00621", "BCBS IL")

    assert (found.payer_id, found.how) == ("BCBSIL", "271 payer clearinghouse id")


def test_a_name_nobody_has_is_unknown() -> None:
    """Given a name no payer or alias has
    When resolved
    Then the answer is unknown with a reason, so the liaison asks for the card."""
    found = resolve(INDEX, None, "Acme Health Cooperative")

    assert found.status == "unknown" and found.reason
