"""FHIR R4 referral Bundles (ServiceRequest/MedicationRequest) and Da Vinci PAS Bundles → draft.

Why plain dict traversal and not ``fhir.resources`` models: clinics' Bundles are often not
strictly valid R4 (the public Da Vinci PAS sample carries STU3-style ``clinicalStatus``
strings), and a strict model rejects the whole Bundle where we want every field we *can* read
in a draft for the liaison. Reading a few dozen well-known paths defensively, with typed
accessors below, is smaller and more forgiving than validating ~150 resource models, and it
keeps the Lambda layer free of a large dependency and its cold-start cost.

Codings are chosen by their system, never by position: language by BCP-47
(``urn:ietf:bcp:47``), drug codes by the NDC and HCPCS system URIs, conditions by ICD-10-CM.
A ServiceRequest or DeviceRequest is an order but not a drug: it may give the HCPCS code, never
the drug's name. Several MedicationRequests are each named in a doubt (the first is read). A
document that orders nothing is refused. Observation, Condition, MedicationStatement, Procedure
and Immunization become clinical facts; body weight and height fill the patient
(``referrals.measures``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from intake.models.draft import Draft, set_path
from intake.referrals.measures import (
    LOINC,
    Measure,
    body_measure,
    fact,
    put_facts,
    put_measures,
)
from intake.referrals.outcome import Extraction
from intake.referrals.values import duration_text, frequency_text, plural, route_text

ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
BCP47 = "urn:ietf:bcp:47"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
NDC = "http://hl7.org/fhir/sid/ndc"
NPI = "http://hl7.org/fhir/sid/us-npi"
_HCPCS_SYSTEMS = ("hcpcs", "2.16.840.1.113883.6.285", "2.16.840.1.113883.6.14")
_CPT_SYSTEMS = ("ama-assn.org/go/cpt", "2.16.840.1.113883.6.12")
_REFERENCE_OK = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_RELATIONSHIP = {"self": "self", "spouse": "spouse", "child": "child", "common": "spouse"}
_PERIOD_UNITS = {
    "s": "second",
    "min": "minute",
    "h": "hour",
    "d": "day",
    "wk": "week",
    "mo": "month",
    "a": "year",
}


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _s(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return None


def _codings(concept: Any) -> list[dict[str, Any]]:
    return [_d(c) for c in _l(_d(concept).get("coding"))]


def _code_in(concept: Any, *systems: str) -> dict[str, Any] | None:
    for coding in _codings(concept):
        system = (_s(coding.get("system")) or "").lower()
        if any(s.lower() in system for s in systems) and _s(coding.get("code")):
            return coding
    return None


def _concept_text(concept: Any) -> str | None:
    text = _s(_d(concept).get("text"))
    if text:
        return text
    for coding in _codings(concept):
        if found := _s(coding.get("display")) or _s(coding.get("code")):
            return found
    return None


class _Index:
    """Resolves ``urn:uuid:``, absolute, ``Type/id`` and contained ``#id`` references."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.resources: list[dict[str, Any]] = []
        self._by_url: dict[str, dict[str, Any]] = {}
        if root.get("resourceType") == "Bundle":
            for entry in _l(root.get("entry")):
                resource = _d(_d(entry).get("resource"))
                if resource:
                    self._add(resource, _s(_d(entry).get("fullUrl")))
        else:
            self._add(root, None)

    def _add(self, resource: dict[str, Any], full_url: str | None) -> None:
        self.resources.append(resource)
        kind, rid = _s(resource.get("resourceType")), _s(resource.get("id"))
        if full_url:
            self._by_url[full_url] = resource
        if kind and rid:
            self._by_url.setdefault(f"{kind}/{rid}", resource)
        for contained in _l(resource.get("contained")):
            cid = _s(_d(contained).get("id"))
            if cid:
                self._by_url.setdefault(f"#{cid}", _d(contained))
            self.resources.append(_d(contained))

    def resolve(self, reference: Any) -> dict[str, Any]:
        ref = _s(_d(reference).get("reference")) if isinstance(reference, dict) else _s(reference)
        if not ref:
            return {}
        if ref in self._by_url:
            return self._by_url[ref]
        tail = "/".join(ref.split("/_history/")[0].split("/")[-2:])
        return self._by_url.get(tail, {})

    def of_type(self, *kinds: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r.get("resourceType") in kinds]


def _telecom(resource: dict[str, Any], system: str, uses: Iterable[str]) -> str | None:
    points = [_d(t) for t in _l(resource.get("telecom")) if _d(t).get("system") == system]
    for use in uses:
        for point in points:
            if point.get("use") == use and _s(point.get("value")):
                return _s(point.get("value"))
    return next((v for p in points if (v := _s(p.get("value")))), None)


def _human_name(resource: dict[str, Any]) -> dict[str, Any]:
    names = [_d(n) for n in _l(resource.get("name"))]
    return next((n for n in names if n.get("use") == "official"), names[0] if names else {})


def _put_name(draft: Draft, prefix: str, resource: dict[str, Any], *, middle: bool) -> None:
    name = _human_name(resource)
    given = [g for g in (_s(x) for x in _l(name.get("given"))) if g]
    _put(draft, f"{prefix}.last_name", _s(name.get("family")))
    _put(draft, f"{prefix}.first_name", given[0] if given else None)
    if middle and len(given) > 1:
        _put(draft, f"{prefix}.middle_name", " ".join(given[1:]))


def _put(draft: Draft, path: str, value: Any) -> None:
    if value is not None and value != "":
        set_path(draft, path, value)


def _patient(draft: Draft, patient: dict[str, Any], index: _Index) -> None:
    _put_name(draft, "patient", patient, middle=True)
    _put(draft, "patient.date_of_birth", _s(patient.get("birthDate")))
    gender = _s(patient.get("gender"))
    _put(
        draft,
        "patient.sex",
        {"male": "M", "female": "F"}.get(gender or "", "U" if gender else None),
    )
    addresses = [_d(a) for a in _l(patient.get("address"))]
    address = next(
        (a for a in addresses if a.get("use") == "home"), addresses[0] if addresses else {}
    )
    lines = [x for x in (_s(v) for v in _l(address.get("line"))) if x]
    _put(draft, "patient.address.line1", lines[0] if lines else None)
    _put(draft, "patient.address.line2", ", ".join(lines[1:]) or None)
    _put(draft, "patient.address.city", _s(address.get("city")))
    _put(draft, "patient.address.state", _s(address.get("state")))
    _put(draft, "patient.address.postal_code", _s(address.get("postalCode")))
    _put(draft, "patient.phone", _telecom(patient, "phone", ("home", "mobile")))
    _put(draft, "patient.email", _telecom(patient, "email", ("home",)))
    comms = [_d(c) for c in _l(patient.get("communication"))]
    comm = next((c for c in comms if c.get("preferred") is True), comms[0] if comms else {})
    language = _d(comm.get("language"))
    bcp47 = _code_in(language, BCP47)
    displays = (_s(c.get("display")) for c in _codings(language))
    _put(
        draft,
        "patient.preferred_language",
        (_s(bcp47.get("code")) if bcp47 else None)
        or _s(language.get("text"))
        or next((d for d in displays if d), None),
    )


def _coverage(
    draft: Draft, coverage: dict[str, Any], index: _Index, prefix: str = "insurance"
) -> None:
    payors = _l(coverage.get("payor"))
    payer = index.resolve(payors[0]) if payors else {}
    display = _s(_d(payors[0]).get("display")) if payors else None
    _put(draft, f"{prefix}.payer_name", _s(payer.get("name")) or display)
    identifiers = [_d(i) for i in _l(payer.get("identifier"))]
    niip = next(
        (
            i
            for i in identifiers
            if any(c.get("code") in {"NIIP", "payerid"} for c in _codings(i.get("type")))
        ),
        identifiers[0] if identifiers else {},
    )
    _put(draft, f"{prefix}.payer_id", _s(niip.get("value")))
    member = next(
        (
            _s(i.get("value"))
            for i in (_d(x) for x in _l(coverage.get("identifier")))
            if any(c.get("code") == "MB" for c in _codings(i.get("type")))
        ),
        None,
    )
    _put(draft, f"{prefix}.member_id", member or _s(coverage.get("subscriberId")))
    for cls in (_d(c) for c in _l(coverage.get("class"))):
        kinds = {c.get("code") for c in _codings(cls.get("type"))}
        if "group" in kinds:
            _put(draft, f"{prefix}.group_number", _s(cls.get("value")))
        if "plan" in kinds:
            _put(draft, f"{prefix}.plan_name", _s(cls.get("name")) or _s(cls.get("value")))
    relation = next((_s(c.get("code")) for c in _codings(coverage.get("relationship"))), None)
    if relation:
        _put(draft, f"{prefix}.relationship", _RELATIONSHIP.get(relation, "other"))
        if relation != "self":
            subscriber = index.resolve(coverage.get("subscriber"))
            _put_name(draft, f"{prefix}.subscriber", subscriber, middle=False)
            _put(draft, f"{prefix}.subscriber.date_of_birth", _s(subscriber.get("birthDate")))
            _put(draft, f"{prefix}.subscriber.member_id", _s(coverage.get("subscriberId")))


def _second(coverage: dict[str, Any]) -> bool:
    """Coverage.order 2: the patient's secondary coverage."""
    return coverage.get("order") == 2


def _npi(resource: dict[str, Any]) -> str | None:
    for ident in (_d(i) for i in _l(resource.get("identifier"))):
        if _s(ident.get("system")) == NPI:
            return _s(ident.get("value"))
    return None


def _prescriber(draft: Draft, who: dict[str, Any], index: _Index) -> dict[str, Any]:
    """Fill the prescriber from a Practitioner or PractitionerRole; returns the clinic found."""
    role: dict[str, Any] = {}
    if who.get("resourceType") == "PractitionerRole":
        role, who = who, index.resolve(who.get("practitioner"))
    if who.get("resourceType") != "Practitioner":
        return who if who.get("resourceType") == "Organization" else {}
    _put_name(draft, "prescriber", who, middle=False)
    suffixes = [x for x in (_s(v) for v in _l(_human_name(who).get("suffix"))) if x]
    quals = [_concept_text(_d(q).get("code")) for q in _l(who.get("qualification"))]
    _put(
        draft, "prescriber.credentials", ", ".join(suffixes) or next((q for q in quals if q), None)
    )
    _put(draft, "prescriber.npi", _npi(who))
    _put(
        draft,
        "prescriber.phone",
        _telecom(role, "phone", ("work",)) or _telecom(who, "phone", ("work",)),
    )
    _put(
        draft, "prescriber.fax", _telecom(role, "fax", ("work",)) or _telecom(who, "fax", ("work",))
    )
    _put(
        draft,
        "prescriber.specialty",
        next((t for t in (_concept_text(s) for s in _l(role.get("specialty"))) if t), None),
    )
    return index.resolve(role.get("organization"))


def _clinic(draft: Draft, org: dict[str, Any]) -> None:
    _put(draft, "referring_clinic.name", _s(org.get("name")))
    _put(draft, "referring_clinic.npi", _npi(org))
    _put(draft, "referring_clinic.phone", _telecom(org, "phone", ("work",)))
    _put(draft, "referring_clinic.fax", _telecom(org, "fax", ("work",)))
    contact = next((_d(c) for c in _l(org.get("contact"))), {})
    name = _d(contact.get("name"))
    given = " ".join(x for x in (_s(g) for g in _l(name.get("given"))) if x)
    _put(
        draft,
        "referring_clinic.contact_name",
        _s(name.get("text")) or (" ".join(x for x in (given, _s(name.get("family"))) if x) or None),
    )


def _medication_codes(draft: Draft, concept: Any, *, drug: bool = True) -> None:
    """NDC and HCPCS by their system URIs; the drug's name only from a medication order."""
    ndc = _code_in(concept, NDC)
    hcpcs = _code_in(concept, *_HCPCS_SYSTEMS) or _code_in(concept, *_CPT_SYSTEMS)
    if drug:
        _put(draft, "therapy.ndc", _s(ndc.get("code")) if ndc else None)
    _put(draft, "therapy.hcpcs", _s(hcpcs.get("code")) if hcpcs else None)
    if drug and "drug_name" not in draft.get("therapy", {}):
        named = _code_in(concept, RXNORM) or ndc or {}
        _put(
            draft,
            "therapy.drug_name",
            _s(_d(concept).get("text")) or _s(named.get("display")) or _concept_text(concept),
        )


def _medication_concept(order: dict[str, Any], index: _Index) -> Any:
    return order.get("medicationCodeableConcept") or _d(
        index.resolve(order.get("medicationReference"))
    ).get("code")


def _order_label(order: dict[str, Any], index: _Index) -> str:
    concept = _medication_concept(order, index)
    coding = _code_in(concept, NDC) or _code_in(concept, RXNORM) or {}
    name = _concept_text(concept) or "a medication with no name"
    code = _s(coding.get("code"))
    return f"{name} ({code})" if code else name


def _timing(draft: Draft, timing: dict[str, Any]) -> None:
    repeat = _d(timing.get("repeat"))
    freq = _concept_text(timing.get("code"))
    period, unit = repeat.get("period"), _s(repeat.get("periodUnit"))
    if not freq and isinstance(period, int | float) and unit:
        word = _PERIOD_UNITS.get(unit, unit)
        every = f"every {word}" if period == 1 else f"every {plural(f'{period:g}', word)}"
        times = repeat.get("frequency", 1)
        freq = every if times in (1, None) else f"{times} times {every}"
    _put(draft, "therapy.frequency", frequency_text(freq) if freq else None)
    bounds = _d(repeat.get("boundsDuration"))
    if bounds:
        _put(draft, "therapy.duration", _duration(bounds))
    start = _s(_d(repeat.get("boundsPeriod")).get("start"))
    _put(draft, "therapy.start_date", start[:10] if start else None)


def _duration(quantity: dict[str, Any]) -> str | None:
    """A FHIR Duration (value with a unit, or a UCUM code) in the referral's words."""
    return duration_text(
        _s(quantity.get("value")), _s(quantity.get("unit")) or _s(quantity.get("code"))
    )


def _route(route: dict[str, Any]) -> str | None:
    """A SNOMED route code beats its display; unknown routes are kept as written."""
    for candidate in (*(_s(c.get("code")) for c in _codings(route)), _concept_text(route)):
        short = route_text(candidate)
        if short in {"IV", "SC", "IM", "PO"}:
            return short
    return route_text(_concept_text(route))


def _medication_request(draft: Draft, order: dict[str, Any], index: _Index) -> None:
    _medication_codes(draft, _medication_concept(order, index))
    dosage = next((_d(x) for x in _l(order.get("dosageInstruction"))), {})
    dose_rate = next((_d(x) for x in _l(dosage.get("doseAndRate"))), {})
    qty = _d(dose_rate.get("doseQuantity"))
    if _s(qty.get("value")):
        unit = _s(qty.get("unit")) or _s(qty.get("code")) or ""
        _put(draft, "therapy.dose", f"{_s(qty.get('value'))} {unit}".strip())
    elif _s(dosage.get("text")):
        _put(draft, "therapy.dose", _s(dosage.get("text")))
    _put(draft, "therapy.route", _route(_d(dosage.get("route"))))
    _timing(draft, _d(dosage.get("timing")))
    dispense = _d(order.get("dispenseRequest"))
    supply = _d(dispense.get("expectedSupplyDuration"))
    if supply and "duration" not in draft.get("therapy", {}):
        _put(draft, "therapy.duration", _duration(supply))
    start = _s(_d(dispense.get("validityPeriod")).get("start"))
    if start and "start_date" not in draft.get("therapy", {}):
        _put(draft, "therapy.start_date", start[:10])


def _diagnoses(draft: Draft, conditions: list[dict[str, Any]], problems: list[str]) -> None:
    seen: list[str] = []
    for cond in conditions:
        coding = _code_in(cond.get("code"), ICD10_CM)
        if coding is None:
            problems.append("a Condition has no ICD-10-CM code (only ICD-10-CM is used)")
            continue
        code = _s(coding.get("code")) or ""
        if code in seen:
            continue
        seen.append(code)
        entry: dict[str, Any] = {"code": code}
        if text := _s(coding.get("display")) or _s(_d(cond.get("code")).get("text")):
            entry["description"] = text
        draft.setdefault("diagnoses", []).append(entry)


# FHIR R4 request-status (MedicationRequest, ServiceRequest, DeviceRequest): these say the
# order is no longer to be carried out; active, on-hold, draft and unknown still may be.
_NOT_ORDERS_NOW = {"cancelled", "completed", "entered-in-error", "stopped", "revoked"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _date(*values: Any) -> str | None:
    """The first full date (YYYY-MM-DD) among FHIR date/dateTime values; partial ones are
    not guessed into a day."""
    for value in values:
        text = _s(value)
        if text and _ISO_DATE.match(text):
            return text[:10]
    return None


def _chosen(concept: Any, *systems: str) -> dict[str, Any]:
    """The coding of the first system listed that the concept carries, else its first."""
    for system in systems:
        if found := _code_in(concept, system):
            return found
    return next(iter(_codings(concept)), {})


def _value(resource: dict[str, Any]) -> tuple[str | None, str | None]:
    qty = _d(resource.get("valueQuantity"))
    if qty:
        return _s(qty.get("value")), _s(qty.get("code")) or _s(qty.get("unit"))
    concept = resource.get("valueCodeableConcept")
    if concept:
        return _concept_text(concept), None
    for key in ("valueString", "valueInteger", "valueDateTime"):
        if (text := _s(resource.get(key))) is not None:
            return text, None
    if isinstance(resource.get("valueBoolean"), bool):
        return str(resource["valueBoolean"]).lower(), None
    return None, None


def _status(value: Any) -> str | None:
    return _s(value) or next((_s(c.get("code")) for c in _codings(value)), None)


def _facts(
    index: _Index, patient: dict[str, Any], problems: list[str]
) -> tuple[list[dict[str, Any]], list[Measure]]:
    """Clinical facts of every clinical resource; weights and heights only of the patient
    (a Bundle may carry a mother's or a donor's observations)."""
    facts: list[dict[str, Any]] = []
    measures: list[Measure] = []
    for res in index.resources:
        kind = res.get("resourceType")
        source = f"FHIR {kind}/{_s(res.get('id')) or '?'}"
        if kind == "Observation":
            coding = _chosen(res.get("code"), LOINC)
            value, unit = _value(res)
            when = _date(res.get("effectiveDateTime"), _d(res.get("effectivePeriod")).get("start"))
            interpretation = next(
                (_status(i) for i in _l(res.get("interpretation")) if _status(i)), None
            )
            facts.append(
                fact(
                    "observation",
                    source,
                    code=_s(coding.get("code")),
                    system=_s(coding.get("system")),
                    display=_s(coding.get("display")) or _s(_d(res.get("code")).get("text")),
                    value=value,
                    unit=unit,
                    interpretation=interpretation,
                    status=_s(res.get("status")),
                    effective=when,
                )
            )
            measure = body_measure(
                code=_s(coding.get("code")),
                system=_s(coding.get("system")),
                text=_concept_text(res.get("code")),
                value=value,
                unit=unit,
                measured_on=when,
                problems=problems,
                where=source,
            )
            subject = index.resolve(res.get("subject"))
            if measure is not None and (not subject or subject is patient):
                measures.append(measure)
        elif kind in {"Condition", "Procedure", "Immunization", "MedicationStatement"}:
            concept = (
                res.get("vaccineCode")
                if kind == "Immunization"
                else _medication_concept(res, index)
                if kind == "MedicationStatement"
                else res.get("code")
            )
            coding = _chosen(concept, ICD10_CM, NDC, RXNORM, SNOMED)
            period = _d(res.get("effectivePeriod") or res.get("performedPeriod"))
            facts.append(
                fact(
                    {
                        "Condition": "condition",
                        "Procedure": "procedure",
                        "Immunization": "immunization",
                        "MedicationStatement": "medication",
                    }[kind],
                    source,
                    code=_s(coding.get("code")),
                    system=_s(coding.get("system")),
                    display=_s(coding.get("display")) or _s(_d(concept).get("text")),
                    status=_status(res.get("clinicalStatus")) or _s(res.get("status")),
                    effective=_date(
                        res.get("onsetDateTime"),
                        res.get("performedDateTime"),
                        res.get("occurrenceDateTime"),
                        res.get("effectiveDateTime"),
                        period.get("start"),
                        res.get("recordedDate"),
                    ),
                    ended=_date(res.get("abatementDateTime"), period.get("end")),
                )
            )
    return [f for f in facts if len(f) > 2], measures


def _first(*candidates: dict[str, Any]) -> dict[str, Any]:
    return next((c for c in candidates if c), {})


def parse_fhir(document: dict[str, Any]) -> Extraction:
    """Read a FHIR Bundle (or a single order resource with contained resources) into a draft."""
    index = _Index(document)
    draft: Draft = {}
    problems: list[str] = []
    claims = index.of_type("Claim")
    claim = next(
        (c for c in claims if c.get("use") == "preauthorization"), claims[0] if claims else {}
    )
    every_med = index.of_type("MedicationRequest")
    med_orders = [o for o in every_med if _s(o.get("status")) not in _NOT_ORDERS_NOW]
    past = [o for o in every_med if _s(o.get("status")) in _NOT_ORDERS_NOW]
    svc_orders = [
        o
        for o in index.of_type("ServiceRequest") + index.of_type("DeviceRequest")
        if _s(o.get("status")) not in _NOT_ORDERS_NOW
    ]
    if past:
        problems.append(
            "not read as the order (status "
            + "; ".join(f"{_s(o.get('status'))}: {_order_label(o, index)}" for o in past)
            + "): a cancelled, completed, stopped or mistaken order is history, not a referral"
        )
    prescription = index.resolve(claim.get("prescription"))
    med = _first(
        prescription if prescription.get("resourceType") == "MedicationRequest" else {}, *med_orders
    )
    svc = _first(
        prescription if prescription.get("resourceType") != "MedicationRequest" else {}, *svc_orders
    )
    order = _first(med, svc)
    if not order and past:
        raise ValueError(f"the FHIR document orders nothing now: {problems[-1]}")
    if not order:
        raise ValueError(
            "the FHIR document holds no MedicationRequest, ServiceRequest or DeviceRequest: "
            "it orders nothing, so it is not a referral"
        )
    doubts: list[str] = []
    if len(med_orders) > 1:
        labels = "; ".join(f"{i}. {_order_label(o, index)}" for i, o in enumerate(med_orders, 1))
        doubts.append(
            f"the FHIR document holds {len(med_orders)} medication orders ({labels}); the "
            f"{'one the Claim names' if prescription is med else 'first'} was read: confirm "
            "which therapy this referral is for and send the others apart"
        )

    patient = _first(
        index.resolve(order.get("subject")),
        index.resolve(claim.get("patient")),
        *index.of_type("Patient"),
    )
    if patient.get("resourceType") == "Patient":
        _patient(draft, patient, index)
    else:
        problems.append("the FHIR document has no Patient resource")

    focal = next((_d(i) for i in _l(claim.get("insurance")) if _d(i).get("focal")), {})
    coverages = index.of_type("Coverage")
    coverage = _first(
        index.resolve(focal.get("coverage")),
        *(c for c in (index.resolve(i) for i in _l(order.get("insurance"))) if not _second(c)),
        *(c for c in coverages if not _second(c)),
    )
    if coverage:
        _coverage(draft, coverage, index)
    else:
        problems.append("the FHIR document has no Coverage (insurance) resource")
    secondary = next((c for c in coverages if _second(c) and c is not coverage), None)
    if secondary:
        _coverage(draft, secondary, index, "secondary_insurance")

    requester = _first(
        index.resolve(med.get("requester")),
        index.resolve(svc.get("requester")),
        index.resolve(claim.get("provider")),
    )
    clinic = _prescriber(draft, requester, index) if requester else {}
    clinic = _first(clinic, index.resolve(patient.get("managingOrganization")))
    _clinic(draft, clinic)

    if med:
        _medication_request(draft, med, index)
    if svc:
        _medication_codes(draft, svc.get("code") or svc.get("codeCodeableConcept"), drug=False)
        if "frequency" not in draft.get("therapy", {}):
            _timing(draft, _d(svc.get("occurrenceTiming")))

    refs = [r for o in (med, svc) for r in _l(o.get("reasonReference"))]
    refs += [_d(d).get("diagnosisReference") for d in _l(claim.get("diagnosis"))]
    conditions = [
        c for c in (index.resolve(r) for r in refs) if c.get("resourceType") == "Condition"
    ]
    codes = [{"code": c} for o in (med, svc) for c in _l(o.get("reasonCode"))]
    codes += [{"code": _d(d).get("diagnosisCodeableConcept")} for d in _l(claim.get("diagnosis"))]
    conditions += [c for c in codes if c["code"]]
    if not conditions:
        conditions = index.of_type("Condition")
    _diagnoses(draft, conditions, problems)

    notes = [t for o in (svc, med) for n in _l(o.get("note")) if (t := _s(_d(n).get("text")))]
    _put(draft, "clinical_notes", "\n".join(notes) or None)
    identifiers = [_d(i) for o in (svc, med, claim) for i in _l(o.get("identifier"))]
    identifiers.append(_d(document.get("identifier")))
    reference = next(
        (v for i in identifiers if (v := _s(i.get("value"))) and _REFERENCE_OK.match(v)), None
    )
    _put(draft, "clinic_reference", reference)
    _put(draft, "received_at", _s(document.get("timestamp")))
    facts, measures = _facts(index, patient, problems)
    put_measures(draft, measures)
    put_facts(draft, facts, problems)
    return Extraction(draft=draft, problems=problems, doubts=doubts).structured()
