"""Evidence read as a reviewer reads it (issue 22): structured facts first, free text only by
whole words with NegEx, a free-text match quoted for a person to confirm and never claimed as
an attached result; criteria by indication; continuation criteria; the letter's prior
therapies and nursing time.

Sources cited per test: NegEx (Chapman WW et al., J Biomed Inform 2001;34:301-310: trigger
phrases, a five-term scope, termination terms), ConText (Harkema H et al., J Biomed Inform
2009;42:839-851: the historical category), the labels named in criteria.json, CPT's time rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from intake.authorization.packet.argument import argued_letter, nursing_words
from intake.authorization.packet.criteria import Evidence, evaluate
from intake.authorization.packet.packet import attachment_codes
from intake.models.referral import ClinicalFact, ClinicalFactKind, Diagnosis, Referral
from intake.therapy.plan import plan_services

Load = Callable[[str], Referral]
RECEIVED = date(2026, 11, 30)


def _item(referral: Referral, item: str, **kw: object) -> Evidence:
    report = evaluate(referral, received_on=RECEIVED, **kw)  # type: ignore[arg-type]
    return next(e for e in report.items if e.id == item)


def _tocilizumab(load: Load, notes: str) -> Referral:
    r = load("01-ppo-deductible-coinsurance.json")
    therapy = r.therapy.model_copy(
        update={"drug_name": "Tocilizumab", "hcpcs": "J3262", "ndc": None, "dose": "4 mg/kg"}
    )
    return r.model_copy(update={"therapy": therapy, "clinical_notes": notes})


def _infliximab(load: Load, notes: str, facts: list[ClinicalFact] | None = None) -> Referral:
    r = load("01-ppo-deductible-coinsurance.json")
    return r.model_copy(update={"clinical_notes": notes, "clinical_facts": facts or []})


def test_alt_is_not_found_inside_alternating(load_referral: Load) -> None:
    """The known failure: "alt" matched as a prefix of "Alternating" marked the baseline labs
    met. Whole words only: "Alternating diarrhea" holds no ALT; "ALT 32 U/L" does."""
    # Given tocilizumab (il6: baseline labs ANC, platelets, ALT within 90 days)
    referral = _tocilizumab(load_referral, "Alternating diarrhea and constipation.")
    # When evaluated / Then no lab is found
    assert _item(referral, "baseline_labs").status == "missing"
    # And a real ALT 29 days before receipt (2026-11-30 - 2026-11-01 = 29 <= 90) is found
    real = _tocilizumab(load_referral, "ALT 32 U/L on 2026-11-01.")
    labs = _item(real, "baseline_labs")
    assert labs.status == "to_confirm" and labs.dated == date(2026, 11, 1)


def test_free_text_lab_is_a_quote_to_confirm_never_an_attachment(load_referral: Load) -> None:
    """A sentence of the referral's notes is shown for a person to confirm; the 278 names no
    attachment for it (PWK only for what a document holds)."""
    referral = _tocilizumab(load_referral, "ALT 32 U/L, ANC 2.1 on 2026-11-01.")
    report = evaluate(referral, received_on=RECEIVED)
    labs = next(e for e in report.items if e.id == "baseline_labs")
    assert labs.to_confirm and labs.basis == "text" and not labs.attached
    assert labs.quote == "ALT 32 U/L, ANC 2.1 on 2026-11-01."
    assert not any(code.endswith(".BASELINE-LABS") for _, code in attachment_codes(report, "P1"))
    # and it is not asked of the clinic again (found): nothing unmet for it
    assert "baseline_labs" not in [e.id for e in report.unmet]


def test_tb_test_not_done_is_missing_with_the_trigger_named(load_referral: Load) -> None:
    """NegEx post-negation trigger "not done" within five terms after "TB test" (Chapman
    2001): no evidence, and the note names the trigger."""
    tb = _item(_infliximab(load_referral, "TB test not done."), "tb_screening")
    assert tb.status == "missing" and "'not done'" in tb.note


def test_pending_and_denies_are_not_results(load_referral: Load) -> None:
    """ "pending" (uncertainty, after the finding) and "denies" (pre-negation) give nothing."""
    notes = "Hepatitis B screening pending. Patient denies tuberculosis exposure."
    referral = _infliximab(load_referral, notes)
    hep_b, tb = _item(referral, "hepatitis_b"), _item(referral, "tb_screening")
    assert hep_b.status == "missing" and "'pending'" in hep_b.note
    assert tb.status == "missing" and "'denies'" in tb.note


def test_negative_screening_is_a_result(load_referral: Load) -> None:
    """ "QuantiFERON negative 2026-10-01": a negative test is the screening result wanted
    (criteria.json negative_result_counts), 60 days before receipt (<= 365)."""
    tb = _item(_infliximab(load_referral, "QuantiFERON negative 2026-10-01."), "tb_screening")
    assert tb.status == "to_confirm" and tb.dated == date(2026, 10, 1)
    assert (RECEIVED - date(2026, 10, 1)).days == 60


def test_termination_term_ends_a_negation_scope(load_referral: Load) -> None:
    """ "No fever but QuantiFERON negative 2026-10-01": "but" ends the scope of "No" (NegEx
    termination terms), so the TB test is not negated."""
    notes = "No fever but QuantiFERON negative 2026-10-01."
    assert _item(_infliximab(load_referral, notes), "tb_screening").found


def test_structured_observation_is_met_named_dated_and_attached(load_referral: Load) -> None:
    """A coded FHIR Observation wins over free text: met, naming the fact and its date, and
    the 278 may claim it (the original that carries it goes with the packet)."""
    fact = ClinicalFact(
        kind=ClinicalFactKind.OBSERVATION,
        code="71774-4",
        system="http://loinc.org",
        display="QuantiFERON-TB Gold Plus",
        value="negative",
        interpretation="NEG",
        status="final",
        effective=date(2026, 10, 1),
        source="FHIR Observation/7",
    )
    referral = _infliximab(load_referral, "TB test not done.", [fact])
    report = evaluate(referral, received_on=RECEIVED)
    tb = next(e for e in report.items if e.id == "tb_screening")
    assert tb.met and tb.where == "the referral: FHIR Observation/7"
    assert tb.dated == date(2026, 10, 1) and tb.attached
    assert ("LA", "P1.TB-SCREENING") in attachment_codes(report, "P1")


def test_cancelled_or_old_structured_fact_does_not_meet(load_referral: Load) -> None:
    """A cancelled Observation is no result; a final one from 2025-11-29 is 366 days before
    receipt (> 365): stale, with its date."""
    base = {
        "kind": ClinicalFactKind.OBSERVATION,
        "display": "Hepatitis B surface antigen",
        "interpretation": "NEG",
        "source": "HL7 OBX 3",
    }
    cancelled = ClinicalFact(**base, status="cancelled", effective=date(2026, 10, 1))  # type: ignore[arg-type]
    assert _item(_infliximab(load_referral, "", [cancelled]), "hepatitis_b").status == "missing"
    old = ClinicalFact(**base, status="final", effective=date(2025, 11, 29))  # type: ignore[arg-type]
    hep_b = _item(_infliximab(load_referral, "", [old]), "hepatitis_b")
    assert (RECEIVED - date(2025, 11, 29)).days == 366
    assert hep_b.status == "stale" and hep_b.dated == date(2025, 11, 29)


def test_history_of_counts_for_history_not_for_a_current_result(load_referral: Load) -> None:
    """ConText's historical category: "history of pneumonia" is infection history (any age)
    but "history of hepatitis B screening" is no current screening."""
    ivig = load_referral("15-prior-auth-certified.json").model_copy(
        update={"clinical_notes": "History of pneumonia 2025-03-02."}
    )
    assert _item(ivig, "infection_history").found
    hep = _infliximab(load_referral, "History of hepatitis B screening 2026-10-01.")
    assert _item(hep, "hepatitis_b").status == "missing"


def test_anti_cd20_criteria_follow_the_indication(load_referral: Load) -> None:
    """One drug class, three indications (criteria.json): MS asks baseline immunoglobulins
    (OCREVUS PI 2.1), RA asks TNF-inhibitor failure (RITUXAN PI 1), lymphoma asks CD20 status;
    each asks hepatitis B screening (RITUXAN boxed warning, OCREVUS 2.1)."""
    ms = load_referral("10-slow-payer.json")
    ra = ms.model_copy(update={"diagnoses": [Diagnosis(code="M05.79")]})
    nhl = ms.model_copy(update={"diagnoses": [Diagnosis(code="C83.30")]})
    ids = {
        name: [e.id for e in evaluate(r, received_on=RECEIVED).items]
        for name, r in (("ms", ms), ("ra", ra), ("nhl", nhl))
    }
    assert evaluate(ms, received_on=RECEIVED).drug_class == "anti_cd20_ms"
    assert "baseline_immunoglobulins" in ids["ms"] and "hepatitis_b" in ids["ms"]
    assert "conventional_failure" in ids["ra"] and "hepatitis_b" in ids["ra"]
    assert ids["nhl"] == ["cd20_positive", "hepatitis_b"]


def test_continuation_criteria_only_when_reauthorized(load_referral: Load) -> None:
    """A re-authorization asks for the response on therapy (criteria.json when=continuation);
    a first request does not."""
    referral = _infliximab(load_referral, "Clinical remission on infliximab, Mayo 1 2026-11-02.")
    first = [e.id for e in evaluate(referral, received_on=RECEIVED).items]
    again = evaluate(referral, received_on=RECEIVED, continuation=True)
    assert "response_documented" not in first
    assert next(e for e in again.items if e.id == "response_documented").found


def test_letter_lists_prior_therapies_whole_with_coded_dates(load_referral: Load) -> None:
    """Prior therapies were cut at the first ";". Now the sentence is whole, and a coded
    MedicationStatement gives its dates and why it stopped."""
    notes = (
        "Failed methotrexate 2024-01 to 2026-10 (inadequate response); failed etanercept "
        "2025-03 to 2026-09 (injection-site reactions, stopped)."
    )
    med = ClinicalFact(
        kind=ClinicalFactKind.MEDICATION,
        display="adalimumab 40 mg SC every 2 weeks",
        value="secondary loss of response",
        status="stopped",
        effective=date(2023, 2, 1),
        ended=date(2024, 1, 15),
        source="FHIR MedicationStatement/3",
    )
    referral = _infliximab(load_referral, notes, [med])
    report = evaluate(referral, received_on=RECEIVED)
    body = " ".join(argued_letter(referral, "Pharmacy", RECEIVED, evidence=report))
    assert (
        "adalimumab 40 mg SC every 2 weeks, 2023-02-01 to 2024-01-15 (stopped; secondary loss "
        "of response) [FHIR MedicationStatement/3]." in body
    )
    assert "failed etanercept 2025-03 to 2026-09 (injection-site reactions, stopped)" in body


def test_letter_nursing_by_the_cpt_time_rule_with_first_dose_plan(load_referral: Load) -> None:
    """Ocrelizumab's visit is 4.5 h (contracts.json): 270 - 120 = 150 min = 2 x 60 + 30;
    30 < 31 so 99601 + 99602 x2 (not x3 as rounding up gave). The label's premedication and
    1-hour observation (OCREVUS PI 2.2, 2.3; data/first_dose.json) plan the first dose."""
    referral = load_referral("10-slow-payer.json")
    plan = plan_services(referral, date(2026, 12, 1))
    text = nursing_words(referral, plan)
    assert text is not None
    assert "4.5 hours for the first dose on 2026-12-01: 99601 + 99602 x2" in text
    assert "methylprednisolone 100 mg IV" in text and "at least 1 hour" in text
    assert plan.days[0].nurse_hours == Decimal("4.5")


def test_weight_older_than_the_policy_allows_is_flagged(load_referral: Load) -> None:
    """A payer or label max age on the weight (criteria.json ``max_age_days`` on the weight
    item) flags a weight measured earlier: 2026-11-30 - 2026-08-01 = 121 days > 90 -> stale,
    with its date; the same weight measured 2026-10-01 (60 days) is met."""
    from intake.authorization.packet.criteria import criteria_table

    table = criteria_table()
    anti_tnf = table.classes["anti_tnf"]
    items = tuple(
        i.model_copy(update={"max_age_days": 90}) if i.id == "weight" else i for i in anti_tnf.items
    )
    strict = table.model_copy(
        update={"classes": {"anti_tnf": anti_tnf.model_copy(update={"items": items})}}
    )
    r = load_referral("01-ppo-deductible-coinsurance.json")
    old = r.model_copy(
        update={"patient": r.patient.model_copy(update={"weight_measured_on": date(2026, 8, 1)})}
    )
    weight = next(
        e for e in evaluate(old, received_on=RECEIVED, table=strict).items if e.id == "weight"
    )
    assert (RECEIVED - date(2026, 8, 1)).days == 121
    assert weight.status == "stale" and weight.dated == date(2026, 8, 1)
    fresh = r.model_copy(
        update={"patient": r.patient.model_copy(update={"weight_measured_on": date(2026, 10, 1)})}
    )
    assert next(
        e for e in evaluate(fresh, received_on=RECEIVED, table=strict).items if e.id == "weight"
    ).met
