"""What the HL7 v2 and FHIR readers take from real clinics' habits: units, roles, codings,
several orders, structured weight and height, clinical facts.

Each test builds the smallest message that shows one habit seen in the public corpus
(tests/corpus) and says why the reading matters downstream.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from intake.referrals import ParseOutcome, parse_referral_document

HL7_HEAD = (
    "MSH|^~\\&|EHR|CLINIC|INTAKE|US|20250302101400||RDE^O11^RDE_O11|1|P|2.5.1\r"
    "PID|1||MRN1||Ortega^Daniel||19580412|M|||12 Elm St^^Springfield^IL^62704||^PRN^PH^^1^217^5550111\r"
    "IN1|1|PPO^Plan|SBXPPO1|Sandbox PPO|||||||||||||SEL^Self|||||||||||||||||||W123456789\r"
)


def _hl7(*segments: str, head: str = HL7_HEAD) -> ParseOutcome:
    return parse_referral_document((head + "\r".join(segments) + "\r").encode())


def _fhir(bundle: dict[str, Any]) -> ParseOutcome:
    return parse_referral_document(json.dumps(bundle).encode())


@pytest.fixture
def bundle(events_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((events_dir / "24-fhir-bundle.json").read_text())
    return copy.deepcopy(data)


def _entries(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


# --- HL7 v2 -----------------------------------------------------------------------------


def test_a_unit_that_holds_a_quantity_is_not_guessed_into_a_dose() -> None:
    """Given RXE-3 = 1 and RXE-5 = '75 mg' (nHapi's oseltamivir sample) / When read / Then the
    dose stays empty and the problem names RXE-5: '1 75 mg' would be a wrong dose."""
    outcome = _hl7("ORC|NW|ORD1", "RXE||54569-4888-0^Oseltamivir|1||75 mg", "RXR|^Oral^HL70162")
    assert "dose" not in outcome.draft["therapy"]
    assert "therapy.dose" in outcome.fields_missing
    assert any(p.startswith("RXE-5 (units) holds '75 mg'") for p in outcome.problems)
    # the NDC has no coding system but is printed 5-4-1, an NDC configuration (FDA)
    assert outcome.draft["therapy"]["ndc"] == "54569-4888-0"
    assert outcome.draft["therapy"]["route"] == "PO"  # RXR-1 text only: 'Oral'


INFLIXIMAB_RXE = "RXE||00006302902^Infliximab 100 mg vial^NDC|5||mg/kg"
TOCILIZUMAB_RXE = "RXE||50242013801^Tocilizumab 80 mg/4 mL^NDC|8||mg/kg"


@pytest.mark.parametrize(
    ("segments", "named", "several"),
    [
        # two ORC/RXE groups: both named, the message waits for a person
        (("ORC|NW|ORD1", INFLIXIMAB_RXE, "ORC|NW|ORD2", TOCILIZUMAB_RXE), "holds 2 orders", True),
        # ORC-1 CA (cancel, HL7 table 0119): named as not read, not a second order
        (
            ("ORC|CA|ORD0", TOCILIZUMAB_RXE, "ORC|NW|ORD1", INFLIXIMAB_RXE),
            "CA: Tocilizumab 80 mg/4 mL (50242013801)",
            False,
        ),
        # v2.3 style, no ORC: an order starts at each RXO, or at an RXE after the group's RXE
        ((INFLIXIMAB_RXE, "RXR|IV", TOCILIZUMAB_RXE, "RXR|IV"), "holds 2 orders", True),
    ],
    ids=["two-orders", "one-cancelled", "no-orc"],
)
def test_each_order_in_a_message_is_named_none_dropped(
    segments: tuple[str, ...], named: str, several: bool
) -> None:
    """Given a message with two drug orders / When read / Then infliximab (the live or first
    order) is in the draft and the other is named in a problem: one referral per therapy, and
    a liaison decides when there are several."""
    outcome = _hl7(*segments)
    assert outcome.draft["therapy"]["ndc"] == "00006302902"
    said = [p for p in outcome.problems if named in p]
    assert said, outcome.problems
    assert any("holds 2 orders" in p for p in outcome.problems) is several
    if several:
        assert outcome.referral is None
        assert "00006302902" in said[0] and "50242013801" in said[0]


@pytest.mark.parametrize(
    ("segments", "dose", "route"),
    [
        # RXE-5 = 43^mg/hr (FHIR-Converter's RDE sample): 43 is a numeric unit id, not the unit
        (
            ("ORC|NW|ORD1", "RXE||0143963401^NICARDIPINE^NDC|5||43^mg/hr", "RXR|IV^Intravenous"),
            "5 mg/hr",
            "IV",
        ),
        # RXR|XXX before RXE, RXR|PO after (HAPI's digoxin sample): in RDE_O11 the RXR after
        # RXE belongs to the encoded order
        (
            (
                "ORC|NW|RX1",
                "RXR|XXX",
                "RXE|^BID^X001^200012171800|99089^DIGOXIN (LANOXIN) -- 0.25 mg|0.2500|0.2500|mg",
                "RXR|PO||",
            ),
            "0.2500 mg",
            "PO",
        ),
    ],
    ids=["numeric-unit-id", "rxr-after-rxe"],
)
def test_dose_and_route_come_from_the_right_components(
    segments: tuple[str, ...], dose: str, route: str
) -> None:
    """Given an RXE whose parts real senders fill in their own way / When read / Then the dose
    is the amount with its unit and the route is the encoded order's: a wrong unit or route
    is a wrong prescription."""
    outcome = _hl7(*segments)
    assert (outcome.draft["therapy"]["dose"], outcome.draft["therapy"]["route"]) == (dose, route)


def test_an_emergency_contact_is_not_the_clinic_contact() -> None:
    """Given CTD-1 = C (Emergency Contact, HL7 table 0131) / When read / Then the clinic has no
    contact name: calling the patient's relative about the clinic's order would be wrong."""
    outcome = _hl7(
        "ORC|NW|ORD1",
        "RXE||00006302902^Infliximab^NDC|5||mg/kg",
        "CTD|C^Emergency Contact^HL70131|Doe^Rosallie",
    )
    assert "contact_name" not in outcome.draft.get("referring_clinic", {})
    person = _hl7(
        "ORC|NW|ORD1",
        "RXE||00006302902^Infliximab^NDC|5||mg/kg",
        "CTD|CP^Contact person^HL70131|Reyes^Dana",
    )
    assert person.draft["referring_clinic"]["contact_name"] == "Dana Reyes"


def test_a_message_that_is_not_an_order_is_refused_naming_what_it_is() -> None:
    """Given an ADT^A01 with a patient and a coverage but no order / When read / Then it is
    refused (quarantined) saying it is an admission, not a referral."""
    head = HL7_HEAD.replace("RDE^O11^RDE_O11", "ADT^A01^ADT_A01")
    outcome = _hl7("PV1|1|I", head=head)
    assert not outcome.readable
    assert "ADT^A01" in outcome.problems[0] and "not a referral" in outcome.problems[0]


def test_weight_under_a_hospital_code_in_ounces_is_converted() -> None:
    """Given OBX-3 WT^WEIGHT (a local code) = 42.3 oz (a NICU message's habit) / When read /
    Then weight_kg = 42.3 x 0.028349523125 = 1.199 -> 1.2 kg (UCUM [oz_av] = 1/16 [lb_av])."""
    outcome = _hl7(
        "ORC|NW|ORD1",
        "RXE||00006302902^Infliximab^NDC|5||mg/kg",
        "OBX|1|NM|WT^WEIGHT||42.3|oz|||||F|||20250301",
    )
    assert outcome.draft["patient"]["weight_kg"] == pytest.approx(1.2)
    assert outcome.draft["patient"]["weight_measured_on"] == "2025-03-01"


def test_loinc_weight_in_pounds_and_height_in_inches() -> None:
    """Given LOINC 29463-7 = 170 [lb_av] and 8302-2 = 70 [in_i] / When read / Then
    170 x 0.45359237 = 77.11 -> 77.1 kg and 70 x 2.54 = 177.8 cm."""
    outcome = _hl7(
        "ORC|NW|ORD1",
        "RXE||00006302902^Infliximab^NDC|5||mg/kg",
        "OBX|1|NM|29463-7^Body weight^LN||170|[lb_av]^pound^UCUM|||||F",
        "OBX|2|NM|8302-2^Body height^LN||70|[in_i]^inch^UCUM|||||F",
    )
    assert outcome.draft["patient"]["weight_kg"] == pytest.approx(77.1)
    assert outcome.draft["patient"]["height_cm"] == pytest.approx(177.8)
    assert "weight_measured_on" not in outcome.draft["patient"]  # OBX-14 not given


def test_a_weight_without_a_unit_is_not_read_as_kilograms() -> None:
    """Given LOINC 29463-7 = 82 with OBX-6 empty / When read / Then no weight is filled and the
    problem says the unit is needed: 82 lb and 82 kg differ by a factor of 2.2 in a mg/kg dose."""
    outcome = _hl7(
        "ORC|NW|ORD1",
        "RXE||00006302902^Infliximab^NDC|5||mg/kg",
        "OBX|1|NM|29463-7^Body weight^LN||82||||||F",
    )
    assert "weight_kg" not in outcome.draft["patient"]
    assert any("without a unit" in p for p in outcome.problems)


def test_obx_dg1_pr1_become_clinical_facts_with_their_dates() -> None:
    """Given a TB test result OBX, a DG1 and a PR1 / When read / Then each is a clinical fact
    with its code, system, value and date: the prior-auth reviewer reads these first."""
    outcome = _hl7(
        "ORC|NW|ORD1",
        "RXE||00006302902^Infliximab^NDC|5||mg/kg",
        "DG1|1||K50.90^Crohn's disease^I10||20250110",
        "PR1|1||45378^Colonoscopy^C4|Colonoscopy|20241201",
        "OBX|1|CWE|71773-6^QuantiFERON-TB Gold^LN||NEG^Negative^HL70078|||N|||F|||20250215",
    )
    facts = outcome.draft["clinical_facts"]
    assert {"kind": "condition", "code": "K50.90", "effective": "2025-01-10"}.items() <= facts[
        0
    ].items()
    assert facts[1]["kind"] == "procedure" and facts[1]["code"] == "45378"
    tb = facts[2]
    assert (tb["code"], tb["value"], tb["interpretation"], tb["effective"]) == (
        "71773-6",
        "Negative",
        "N",
        "2025-02-15",
    )


# --- FHIR -------------------------------------------------------------------------------


def test_language_is_chosen_by_its_bcp47_system_not_by_position(bundle: dict[str, Any]) -> None:
    """Given a Patient language whose first coding is a local code and whose second is
    BCP-47 'es' / When read / Then the preferred language is 'es' (Spanish call scripts)."""
    patient = _entries(bundle, "Patient")[0]
    patient["communication"] = [
        {
            "language": {
                "coding": [
                    {"system": "http://example.org/local-languages", "code": "7"},
                    {"system": "urn:ietf:bcp:47", "code": "es"},
                ]
            },
            "preferred": True,
        }
    ]
    assert _fhir(bundle).draft["patient"]["preferred_language"] == "es"


def test_a_service_request_is_not_a_drug(bundle: dict[str, Any]) -> None:
    """Given only a ServiceRequest coded SNOMED + HCPCS J1745 / When read / Then the HCPCS code
    is kept but no drug name is taken from the service's words; the liaison supplies it."""
    order = _entries(bundle, "MedicationRequest")[0]
    bundle["entry"] = [
        e for e in bundle["entry"] if e["resource"]["resourceType"] != "MedicationRequest"
    ]
    bundle["entry"].append(
        {
            "resource": {
                "resourceType": "ServiceRequest",
                "status": "active",
                "intent": "order",
                "code": {
                    "coding": [
                        {"system": "http://snomed.info/sct", "code": "432102000"},
                        {
                            "system": "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
                            "code": "J1745",
                        },
                    ],
                    "text": "Home infusion of infliximab",
                },
                "subject": order["subject"],
                "requester": order["requester"],
            }
        }
    )
    outcome = _fhir(bundle)
    assert outcome.draft["therapy"]["hcpcs"] == "J1745"
    assert "drug_name" not in outcome.draft["therapy"]
    assert "therapy.drug_name" in outcome.fields_missing


def test_several_medication_requests_are_each_named(bundle: dict[str, Any]) -> None:
    """Given two MedicationRequests / When read / Then a problem names both, the first is read,
    and the referral waits for a person: none is silently dropped."""
    first = _entries(bundle, "MedicationRequest")[0]
    second = copy.deepcopy(first)
    second["id"] = "second"
    second["medicationCodeableConcept"] = {
        "coding": [{"system": "http://hl7.org/fhir/sid/ndc", "code": "50242013801"}],
        "text": "Tocilizumab 80 mg/4 mL",
    }
    bundle["entry"].append({"resource": second})
    outcome = _fhir(bundle)
    assert outcome.referral is None
    named = [p for p in outcome.problems if "holds 2 medication orders" in p]
    assert named and "Tocilizumab 80 mg/4 mL (50242013801)" in named[0]


def test_observations_give_weight_height_and_facts(bundle: dict[str, Any]) -> None:
    """Given the sample's weight (82 kg, 2025-02-27) plus a later one, 180 [lb_av] on
    2025-03-01, and height 1.75 m / When read / Then the most recent weight is used:
    180 x 0.45359237 = 81.65 -> 81.6 kg (dated 2025-03-01), height_cm = 1.75 x 100 = 175.0,
    and both are clinical facts."""
    subject = _entries(bundle, "MedicationRequest")[0]["subject"]
    for code, value, unit, when in (
        ("29463-7", 180, "[lb_av]", "2025-03-01T09:00:00-06:00"),
        ("8302-2", 1.75, "m", "2025-02-20"),
    ):
        bundle["entry"].append(
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": code,
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
                    "subject": subject,
                    "effectiveDateTime": when,
                    "valueQuantity": {
                        "value": value,
                        "system": "http://unitsofmeasure.org",
                        "code": unit,
                    },
                }
            }
        )
    outcome = _fhir(bundle)
    patient = outcome.draft["patient"]
    assert (patient["weight_kg"], patient["height_cm"]) == (81.6, 175.0)
    assert patient["weight_measured_on"] == "2025-03-01"
    codes = {f["code"] for f in outcome.draft["clinical_facts"] if f["kind"] == "observation"}
    assert {"29463-7", "8302-2"} <= codes
    assert outcome.referral is not None and outcome.referral.patient.height_cm == 175.0


def test_structured_numeric_weight_reads_its_number_not_its_comparator() -> None:
    """Given OBX-2 SN with OBX-5 '^82' (no comparator) in kg / When read / Then 82.0 kg; a
    comparator ('>^82') is a bound, not a measurement, so it is not read as the weight."""
    exact = _hl7(
        "ORC|NW|ORD1",
        "RXE||00006302902^Infliximab^NDC|5||mg/kg",
        "OBX|1|SN|29463-7^Body weight^LN||^82|kg|||||F",
    )
    assert exact.draft["patient"]["weight_kg"] == 82.0
    bound = _hl7(
        "ORC|NW|ORD1",
        "RXE||00006302902^Infliximab^NDC|5||mg/kg",
        "OBX|1|SN|29463-7^Body weight^LN||>^82|kg|||||F",
    )
    assert "weight_kg" not in bound.draft["patient"]


def test_another_persons_weight_is_a_fact_but_not_the_patients_weight(
    bundle: dict[str, Any],
) -> None:
    """Given the sample (patient 82 kg, 2025-02-27) and a later weight whose subject is another
    Patient (a parent) / When read / Then the patient keeps 82 kg: a dose per kg must use the
    patient's own weight; the other observation is still listed as a fact."""
    bundle["entry"].append(
        {"fullUrl": "urn:uuid:parent", "resource": {"resourceType": "Patient", "id": "parent"}}
    )
    bundle["entry"].append(
        {
            "resource": {
                "resourceType": "Observation",
                "id": "parent-weight",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
                "subject": {"reference": "urn:uuid:parent"},
                "effectiveDateTime": "2025-03-01",
                "valueQuantity": {"value": 60, "code": "kg"},
            }
        }
    )
    outcome = _fhir(bundle)
    assert outcome.draft["patient"]["weight_kg"] == 82.0
    assert any(
        f["source"] == "FHIR Observation/parent-weight" for f in outcome.draft["clinical_facts"]
    )


def test_the_drug_name_comes_from_the_drug_coding_not_the_first_one(
    bundle: dict[str, Any],
) -> None:
    """Given a medication concept with no text whose first coding is a local formulary code
    and whose RxNorm coding names the drug / When read / Then the name is RxNorm's display."""
    order = _entries(bundle, "MedicationRequest")[0]
    order.pop("medicationReference", None)
    order["medicationCodeableConcept"] = {
        "coding": [
            {"system": "http://example.org/formulary", "code": "F-88", "display": "Formulary 88"},
            {"system": "http://hl7.org/fhir/sid/ndc", "code": "57894-0030-01"},
            {
                "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                "code": "000000",  # illustrative: the reader keys on the system, not the code
                "display": "infliximab 100 MG Injection",
            },
        ]
    }
    therapy = _fhir(bundle).draft["therapy"]
    assert therapy["drug_name"] == "infliximab 100 MG Injection"
    assert therapy["ndc"] == "57894-0030-01"


def test_a_completed_order_is_named_but_not_read_as_the_therapy(bundle: dict[str, Any]) -> None:
    """Given the active order plus a completed one (last year's course) / When read / Then the
    active order is the therapy, the completed one is named, and no 'several orders' doubt is
    raised: FHIR request-status 'completed' means it is no longer to be done."""
    active = _entries(bundle, "MedicationRequest")[0]
    done = copy.deepcopy(active)
    done["id"], done["status"] = "last-year", "completed"
    done["medicationCodeableConcept"] = {"text": "Vedolizumab 300 mg"}
    done.pop("medicationReference", None)
    bundle["entry"].insert(0, {"resource": done})
    outcome = _fhir(bundle)
    assert outcome.referral is not None
    assert "Vedolizumab" not in outcome.referral.therapy.drug_name
    assert any("completed: Vedolizumab 300 mg" in p for p in outcome.problems)
    # and a document whose only order is completed orders nothing now: refused, saying so
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"] is not active]
    refused = _fhir(bundle)
    assert not refused.readable and "orders nothing now" in refused.problems[0]
