"""A Da Vinci PAS (Prior Authorization Support) request Bundle for payers with a FHIR API.

Shape follows the PAS IG: a collection Bundle whose first entry is the Claim
(use = preauthorization) and which carries every resource the Claim references: Patient,
Coverage, the payer and pharmacy Organizations, the prescriber (Practitioner), the
MedicationRequest (the order) and the Conditions. Resource ids are derived from the packet id
so the same referral always produces the same bundle (reproducible, diffable in tests).

Validated with ``fhir.resources`` (8.x, pydantic 2): its ``R4B`` models are the R4-compatible
ones (4.3.0; PAS is R4 4.0.1 and none of these resources changed between the two). Releases
with plain R4 models (6.x) need pydantic 1, which this project cannot load.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from intake.authorization.packet.letter import diagnosis_lines
from intake.authorization.packet.models import Pharmacy
from intake.models.referral import Referral, Relationship
from intake.therapy import ServicePlan

JsonObject = dict[str, Any]
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
CPT = "http://www.ama-assn.org/go/cpt"
NDC = "http://hl7.org/fhir/sid/ndc"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
MODIFIER = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
_RELATIONSHIP = {
    Relationship.SELF: "self",
    Relationship.SPOUSE: "spouse",
    Relationship.CHILD: "child",
    Relationship.OTHER: "other",
}


class PasValidationError(ValueError):
    """The bundle does not validate as FHIR (a bug in this module, not bad input)."""


def _ref(kind: str, rid: str) -> JsonObject:
    return {"reference": f"{kind}/{rid}"}


def _organization_type(code: str) -> list[JsonObject]:
    """Organization.type: ``pay`` (the payer) or ``prov`` (the requesting pharmacy)."""
    return [
        {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/organization-type", "code": code}
            ]
        }
    ]


def _phone(value: str, system: str = "phone") -> JsonObject:
    return {"system": system, "value": value, "use": "work"}


def _ids(packet_id: str) -> dict[str, str]:
    base = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:intake:prior-auth:{packet_id}")
    names = ("claim", "patient", "coverage", "payer", "pharmacy", "prescriber", "medreq")
    out = {n: str(uuid.uuid5(base, n)) for n in names}
    return out


def _instant(when: datetime) -> str:
    """FHIR instants need a zone; naive times are taken as UTC."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return aware.isoformat(timespec="seconds")


def _code_system(code: str) -> str:
    return CPT if code[:1].isdigit() else HCPCS


def build_pas_bundle(
    referral: Referral,
    pharmacy: Pharmacy,
    plan: ServicePlan,
    *,
    packet_id: str,
    now: datetime,
) -> JsonObject:
    """The PAS request Bundle as FHIR JSON (validated before it is returned): one Claim item
    per service-plan line, with its modifiers, units and the plan's place of service."""
    r, ids = referral, _ids(packet_id)
    p, ins, rx, t = r.patient, r.coverage, r.prescriber, r.therapy
    conditions = [
        (str(uuid.uuid5(uuid.UUID(ids["claim"]), d.code)), d, line)
        for d, line in zip(r.diagnoses, diagnosis_lines(r), strict=True)
    ]
    a = p.address
    patient: JsonObject = {
        "resourceType": "Patient",
        "id": ids["patient"],
        "meta": {"profile": [f"{PAS}/profile-beneficiary"]},
        "identifier": [
            {
                "type": {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MB"}
                    ]
                },
                "value": ins.member_id,
            }
        ],
        "name": [{"family": p.last_name, "given": [x for x in (p.first_name, p.middle_name) if x]}],
        "telecom": [_phone(p.phone)],
        "gender": {"F": "female", "M": "male"}.get(p.sex.value, "unknown"),
        "birthDate": p.date_of_birth.isoformat(),
        "address": [
            {
                "line": [x for x in (a.line1, a.line2) if x],
                "city": a.city,
                "state": a.state,
                "postalCode": a.postal_code,
            }
        ],
    }
    payer: JsonObject = {
        "resourceType": "Organization",
        "id": ids["payer"],
        "meta": {"profile": [f"{PAS}/profile-insurer"]},
        "identifier": [
            {"system": "urn:oid:2.16.840.1.113883.3.9999.payer-id", "value": ins.payer_id}
        ],
        "type": _organization_type("pay"),
        "name": ins.payer_name,
    }
    org: JsonObject = {
        "resourceType": "Organization",
        "id": ids["pharmacy"],
        "meta": {"profile": [f"{PAS}/profile-requestor"]},
        "identifier": [{"system": NPI_SYSTEM, "value": pharmacy.npi}],
        "type": _organization_type("prov"),
        "name": pharmacy.name,
        "telecom": [_phone(pharmacy.phone), _phone(pharmacy.fax, "fax")],
    }
    practitioner: JsonObject = {
        "resourceType": "Practitioner",
        "id": ids["prescriber"],
        "meta": {"profile": [f"{PAS}/profile-practitioner"]},
        "identifier": [{"system": NPI_SYSTEM, "value": rx.npi}],
        "name": [
            {
                "family": rx.last_name,
                "given": [rx.first_name],
                **({"suffix": [rx.credentials]} if rx.credentials else {}),
            }
        ],
        "telecom": [_phone(rx.phone)] + ([_phone(rx.fax, "fax")] if rx.fax else []),
    }
    coverage: JsonObject = {
        "resourceType": "Coverage",
        "id": ids["coverage"],
        "meta": {"profile": [f"{PAS}/profile-coverage"]},
        "status": "active",
        "subscriberId": ins.member_id,
        "beneficiary": _ref("Patient", ids["patient"]),
        "relationship": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                    "code": _RELATIONSHIP[ins.relationship],
                }
            ]
        },
        "payor": [_ref("Organization", ids["payer"])],
    }
    if ins.group_number:
        coverage["class"] = [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                            "code": "group",
                        }
                    ]
                },
                "value": ins.group_number,
            }
        ]
    med_codes = [{"system": NDC, "code": t.ndc}] if t.ndc else []
    if t.hcpcs:
        med_codes.append({"system": HCPCS, "code": t.hcpcs})
    period: JsonObject = {"start": plan.start.isoformat()}
    if plan.end:
        period["end"] = plan.end.isoformat()
    medreq: JsonObject = {
        "resourceType": "MedicationRequest",
        "id": ids["medreq"],
        "meta": {"profile": [f"{PAS}/profile-medicationrequest"]},
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {"coding": med_codes, "text": t.drug_name},
        "subject": _ref("Patient", ids["patient"]),
        "authoredOn": now.date().isoformat(),
        "requester": _ref("Practitioner", ids["prescriber"]),
        "reasonReference": [_ref("Condition", cid) for cid, _, _ in conditions],
        "dosageInstruction": [
            {
                "text": f"{t.dose} {t.route} {t.frequency} for {t.duration}",
                "route": {"text": t.route},
            }
        ],
        "dispenseRequest": {"validityPeriod": period},
        "insurance": [_ref("Coverage", ids["coverage"])],
    }
    condition_resources = [
        {
            "resourceType": "Condition",
            "id": cid,
            "meta": {"profile": [f"{PAS}/profile-condition"]},
            "clinicalStatus": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                        "code": "active",
                    }
                ]
            },
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                            "code": "encounter-diagnosis",
                        }
                    ]
                }
            ],
            "code": {"coding": [{"system": ICD10, "code": d.code}], "text": line},
            "subject": _ref("Patient", ids["patient"]),
        }
        for cid, d, line in conditions
    ]
    items = []
    for n, line in enumerate(plan.lines, start=1):
        item: JsonObject = {
            "sequence": n,
            "extension": [
                {
                    "url": f"{PAS}/extension-requestedService",
                    "valueReference": _ref("MedicationRequest", ids["medreq"]),
                }
            ],
            "category": {
                "coding": [{"system": "https://x12.org/codes/service-type-codes", "code": "42"}]
            },
            "productOrService": {
                "coding": [
                    {
                        "system": _code_system(line.code),
                        "code": line.code,
                        "display": line.description,
                    }
                ]
            },
            "servicedPeriod": period,
            "locationCodeableConcept": {"coding": [{"system": POS, "code": plan.place_of_service}]},
        }
        if line.modifiers:
            item["modifier"] = [
                {"coding": [{"system": MODIFIER, "code": m}]} for m in line.modifiers
            ]
        if line.units is not None:
            item["quantity"] = {"value": line.units}
        items.append(item)
    claim: JsonObject = {
        "resourceType": "Claim",
        "id": ids["claim"],
        "meta": {"profile": [f"{PAS}/profile-claim"]},
        "identifier": [{"system": "urn:intake:prior-auth", "value": packet_id}],
        "status": "active",
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/claim-type",
                    "code": "professional",
                }
            ]
        },
        "use": "preauthorization",
        "patient": _ref("Patient", ids["patient"]),
        "created": _instant(now),
        "insurer": _ref("Organization", ids["payer"]),
        "provider": _ref("Organization", ids["pharmacy"]),
        "priority": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/processpriority",
                    "code": "normal",
                }
            ]
        },
        "prescription": _ref("MedicationRequest", ids["medreq"]),
        "careTeam": [
            {
                "sequence": 1,
                "provider": _ref("Practitioner", ids["prescriber"]),
                "role": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/claimcareteamrole",
                            "code": "primary",
                        }
                    ]
                },
            }
        ],
        "diagnosis": [
            {"sequence": n, "diagnosisReference": _ref("Condition", cid)}
            for n, (cid, _, _) in enumerate(conditions, start=1)
        ],
        "insurance": [
            {"sequence": 1, "focal": True, "coverage": _ref("Coverage", ids["coverage"])}
        ],
        "item": items,
    }
    if r.clinical_notes:
        claim["supportingInfo"] = [
            {
                "sequence": 1,
                "category": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/claiminformationcategory",
                            "code": "info",
                        }
                    ]
                },
                "valueString": r.clinical_notes,
            }
        ]
    resources = [claim, patient, coverage, payer, org, practitioner, medreq, *condition_resources]
    bundle: JsonObject = {
        "resourceType": "Bundle",
        "meta": {"profile": [f"{PAS}/profile-pas-request-bundle"]},
        "identifier": {"system": "urn:intake:prior-auth", "value": packet_id},
        "type": "collection",
        "timestamp": _instant(now),
        "entry": [{"fullUrl": f"urn:uuid:{res['id']}", "resource": res} for res in resources],
    }
    validate_pas_bundle(bundle)
    return bundle


def validate_pas_bundle(bundle: JsonObject) -> None:
    """Raise ``PasValidationError`` unless ``bundle`` is a valid FHIR R4(B) Bundle whose
    first entry is a preauthorization Claim."""
    from fhir.resources.R4B.bundle import Bundle

    try:
        parsed = Bundle.model_validate(bundle)
    except ValidationError as exc:
        raise PasValidationError(f"not a valid FHIR Bundle: {exc.error_count()} errors") from exc
    first = parsed.entry[0].resource if parsed.entry else None
    if (
        first is None
        or first.get_resource_type() != "Claim"
        or getattr(first, "use", None) != ("preauthorization")
    ):
        raise PasValidationError("a PAS request Bundle starts with a preauthorization Claim")
