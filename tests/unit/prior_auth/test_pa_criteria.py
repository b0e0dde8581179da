"""Criteria as data (``intake/data/criteria.json``) and the evidence evaluator: each item met
(with where it was found), stale (too old, or undated where a date is required) or missing,
with the payer's overrides; worked examples from the sample referrals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from intake.authorization.packet.criteria import Source, criteria_table, evaluate
from intake.models.referral import Referral

RECEIVED = date(2026, 11, 30)


def test_every_drug_the_pharmacy_serves_has_a_class_and_every_item_says_where_to_look() -> None:
    # Given the criteria table
    table = criteria_table()
    # Then the drugs the issue names are each in one class
    drugs = {d: name for name, c in table.classes.items() for d in c.drugs}
    for hcpcs in ("J1745", "Q5103", "J1569", "J1559", "J2350", "J2323", "J3262", "J3373"):
        assert hcpcs in drugs, hcpcs
    assert drugs["J1335"] == drugs["J0696"] == "antibiotic_course"
    # And each notes item names keywords, each diagnosis item codes
    for c in table.classes.values():
        for item in c.items:
            assert item.keywords if item.find == "notes" else True
            assert item.codes if item.find == "diagnosis" else True


def test_ivig_referral_without_igg_levels_misses_exactly_that_item(
    load_referral: Callable[[str], Referral],
) -> None:
    # Given sample 32: CVID (D80.1), infections and vaccine titers in the notes, no IgG
    referral = load_referral("35-ivig-records-from-clinic.json")
    # When evaluated at receipt
    report = evaluate(referral, received_on=RECEIVED)
    # Then the immune globulin class applies and only the IgG levels are missing; the
    # structured diagnosis and weight are met, the sentences of the notes are quotes to
    # confirm (issue 22: free text is never counted as a result)
    assert report.drug_class == "immune_globulin"
    status = {e.id: e.status for e in report.items}
    assert status == {
        "pi_diagnosis": "met",
        "igg_levels": "missing",
        "infection_history": "to_confirm",
        "vaccine_response": "to_confirm",
        "weight": "met",
    }
    assert [e.id for e in report.unmet] == ["igg_levels"]
    vaccine = next(e for e in report.items if e.id == "vaccine_response")
    assert vaccine.where == "the referral: clinical notes"


def test_records_linked_later_meet_the_missing_item_and_say_where(
    load_referral: Callable[[str], Referral],
) -> None:
    # Given the clinic's records upload with "IgG 290 mg/dL on 2026-11-20"
    referral = load_referral("35-ivig-records-from-clinic.json")
    records = load_referral("_records/35-ivig-igg-levels.json")
    # When evaluated with the upload linked
    report = evaluate(
        referral, received_on=RECEIVED, linked=[Source("records received 2026-11-30", records)]
    )
    # Then nothing is left to ask for; the IgG levels come from the records (a document,
    # so it may be attached), dated 10 days before receipt
    assert report.complete
    igg = next(e for e in report.items if e.id == "igg_levels")
    assert igg.where == "records received 2026-11-30: clinical notes"
    assert igg.dated == date(2026, 11, 20) and (RECEIVED - igg.dated).days == 10
    assert igg.attached and igg.status == "to_confirm"


def test_a_result_older_than_its_max_age_is_stale_and_an_undated_one_too(
    load_referral: Callable[[str], Referral],
) -> None:
    # Given infliximab notes with a TB test 366 days before receipt and an undated hep B
    referral = load_referral("36-infliximab-filed-without-tb.json")
    notes = (
        "Moderate to severe ulcerative colitis. Failed mesalamine (inadequate response). "
        "QuantiFERON negative 2025-11-29. Hepatitis B screen negative."
    )
    referral = referral.model_copy(update={"clinical_notes": notes})
    # When evaluated (TB and hepatitis B may be at most 365 days old)
    report = evaluate(referral, received_on=RECEIVED)
    by_id = {e.id: e for e in report.items}
    # Then 2025-11-29 is 366 days before 2026-11-30: stale, with the date; hep B undated: stale
    assert (RECEIVED - date(2025, 11, 29)).days == 366
    assert by_id["tb_screening"].status == "stale"
    assert by_id["tb_screening"].dated == date(2025, 11, 29)
    assert "more than 365 days" in by_id["tb_screening"].note
    assert by_id["hepatitis_b"].status == "stale" and "without a date" in by_id["hepatitis_b"].note
    # And one day younger is current: found (a quote of the notes, to confirm)
    fresh = referral.model_copy(
        update={"clinical_notes": notes.replace("2025-11-29", "2025-11-30")}
    )
    assert (
        next(
            e for e in evaluate(fresh, received_on=RECEIVED).items if e.id == "tb_screening"
        ).status
        == "to_confirm"
    )


def test_payer_overrides_drop_items_and_shorten_ages(
    load_referral: Callable[[str], Referral],
) -> None:
    # Given the same IVIG referral at SBX02, whose override accepts IgG at most 180 days old
    referral = load_referral("35-ivig-records-from-clinic.json")
    notes = (referral.clinical_notes or "") + " IgG 300 mg/dL on 2026-05-01."
    at_sbx01 = referral.model_copy(update={"clinical_notes": notes})
    insurance = at_sbx01.insurance.model_copy(update={"payer_id": "SBX02"})
    at_sbx02 = at_sbx01.model_copy(update={"insurance": insurance})
    # When evaluated: 2026-05-01 is 213 days before receipt
    assert (RECEIVED - date(2026, 5, 1)).days == 213

    def igg(r: Referral) -> str:
        return next(
            e.status for e in evaluate(r, received_on=RECEIVED).items if e.id == "igg_levels"
        )

    # Then SBX01 (365 days) takes it (to confirm: it is free text) and SBX02 (180 days)
    # asks for a newer one
    assert igg(at_sbx01) == "to_confirm" and igg(at_sbx02) == "stale"
    # And SBX01 drops renal function from antibiotic courses
    ids = [i.id for i in criteria_table().items_for("antibiotic_course", "SBX01")]
    assert "renal_function" not in ids and "culture_sensitivity" in ids


def test_a_drug_without_criteria_gives_a_complete_empty_report(
    load_referral: Callable[[str], Referral],
) -> None:
    referral = load_referral("35-ivig-records-from-clinic.json")
    other = referral.therapy.model_copy(update={"hcpcs": "J9999", "ndc": None})
    report = evaluate(referral.model_copy(update={"therapy": other}), received_on=RECEIVED)
    assert report.drug_class is None and report.complete and report.items == ()


def test_a_secondary_immunodeficiency_is_not_argued_as_primary(
    load_referral: Callable[[str], Referral],
) -> None:
    """ICD-10-CM FY2026 titles D84.821 "Immunodeficiency due to drugs": a secondary
    immunodeficiency. The IVIG criterion for primary immunodeficiency names its codes from the
    code set (D80-D83, D84.0, D84.1), not the whole D80-D84 block, so the packet never calls a
    drug-induced immunodeficiency primary: the item is missing and the clinic is asked."""
    # Given sample 35's IVIG referral, its diagnosis replaced by D84.821
    referral = load_referral("35-ivig-records-from-clinic.json")
    secondary = Referral.model_validate(
        {**referral.model_dump(mode="json"), "diagnoses": [{"code": "D84.821"}]}
    )
    # When evaluated at receipt
    report = evaluate(secondary, received_on=RECEIVED)
    # Then the primary-immunodeficiency diagnosis is missing, not met
    status = {e.id: e.status for e in report.items}
    assert status["pi_diagnosis"] == "missing"
    # And a listed inborn defect (D84.1, complement) still meets it
    complement = Referral.model_validate(
        {**referral.model_dump(mode="json"), "diagnoses": [{"code": "D84.1"}]}
    )
    met = {e.id: e.status for e in evaluate(complement, received_on=RECEIVED).items}
    assert met["pi_diagnosis"] == "met"
