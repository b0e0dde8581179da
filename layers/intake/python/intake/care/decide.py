"""What the assessment decides, from the referral and what the patient told the pharmacist.
Pure: no store, no clock. Each decision names its source; each fact the patient did not give
is listed in ``unknowns`` (and lowers the confidence) rather than read as "no"."""

from __future__ import annotations

from intake.care.model import (
    AccessKind,
    AssessmentIntake,
    Decisions,
    Finding,
    FirstDose,
    LabOrder,
    Severity,
    SiteDecision,
    Supplies,
)
from intake.care.rules import DrugRules, Rule, first_dose_table, mentions, rule_table
from intake.models.referral import Referral, SiteOfCare
from intake.therapy.body import weight_based

HOME = "home"
SUITE = "infusion_suite"


def decide(referral: Referral, intake: AssessmentIntake) -> Decisions:
    therapy = referral.therapy
    rules = rule_table().for_drug(therapy.hcpcs, therapy.drug_name)
    unknowns = _unknowns(referral, intake, rules)
    conflicts = _conflicts(intake, rules) if rules else []
    decisions = Decisions(
        rules_on_file=rules is not None,
        conflicts=conflicts,
        site=_site(referral, intake, rules),
        first_dose=_first_dose(therapy.hcpcs),
        supplies=_supplies(intake, rules),
        labs=_labs(intake, rules),
        unknowns=unknowns,
        confidence="lowered" if unknowns else "high",
    )
    return decisions


# ------------------------------------------------------------------ conflicts
def _severity_matches(rule: Rule, severity: Severity | None) -> bool:
    """An unknown severity could be any: it matches every rule (unknown is not "mild")."""
    if rule.severities is None or severity is None or severity is Severity.UNKNOWN:
        return True
    return severity.value in rule.severities


def _conflicts(intake: AssessmentIntake, rules: DrugRules) -> list[Finding]:
    found: list[Finding] = []

    def add(rule: Rule, what: str) -> None:
        found.append(
            Finding(
                rule=rule.id,
                kind=rule.kind,
                what=what,
                why=rule.why,
                source=rules.source(rule.section),
            )
        )

    for rule in rules.rules:
        if rule.kind == "allergy":
            for a in intake.allergies or []:
                if any(mentions(a.substance, m) for m in rule.match) and _severity_matches(
                    rule, a.severity
                ):
                    reaction = f" ({a.reaction}, {a.severity.value})" if a.reaction else ""
                    add(rule, f"allergy: {a.substance}{reaction or f' ({a.severity.value})'}")
        elif rule.kind == "interaction":
            for m in intake.medicines or []:
                if any(mentions(m.name, term) for term in rule.match):
                    add(rule, f"current medicine: {m.name}")
        elif rule.kind == "condition":
            for c in intake.conditions or []:
                by_word = any(mentions(c.name, term) for term in rule.match)
                by_code = bool(c.icd10) and any(
                    (c.icd10 or "").replace(".", "").startswith(p.replace(".", ""))
                    for p in rule.icd10
                )
                if by_word or by_code:
                    add(rule, f"condition: {c.name}" + (f" ({c.icd10})" if c.icd10 else ""))
        elif rule.kind == "prior_reaction":
            for p in intake.prior_infusions or []:
                if (
                    _same_drug(p.drug, rules)
                    and p.reaction_severity is not None
                    and _severity_matches(rule, p.reaction_severity)
                ):
                    add(
                        rule,
                        f"earlier infusion of {p.drug}: {p.reaction or 'a reaction'} "
                        f"({p.reaction_severity.value})",
                    )
    return found


def _same_drug(name: str, rules: DrugRules) -> bool:
    return any(mentions(name, n) for n in rules.names) or mentions(name, rules.hcpcs)


# ------------------------------------------------------------------ site of care
def _site(referral: Referral, intake: AssessmentIntake, rules: DrugRules | None) -> SiteDecision:
    if referral.therapy.site_of_care is SiteOfCare.INFUSION_SUITE:
        return SiteDecision(
            site=SUITE, changed=False, reasons=["the referral asks for the infusion suite"]
        )
    table = rule_table().site_reasons
    chosen = []
    storage = rules.storage if rules else {}
    if (
        intake.home.refrigeration == "no"
        and storage.get("refrigerated")
        and not storage.get("room_temperature_allowed")
    ):
        chosen.append(table["suite-refrigeration"])
    observation = first_dose_table().get(referral.therapy.hcpcs or "", {})
    if observation.get("observation_minutes") and intake.home.someone_present_after == "no":
        chosen.append(table["suite-no-one-present"])
    if rules and any(
        _same_drug(p.drug, rules) and p.reaction_severity is Severity.MODERATE
        for p in intake.prior_infusions or []
    ):
        chosen.append(table["suite-prior-reaction"])
    if not chosen:
        return SiteDecision(
            site=HOME, changed=False, reasons=["nothing in the assessment moves the care from home"]
        )
    return SiteDecision(
        site=SUITE,
        changed=True,
        reasons=[r.why for r in chosen],
        sources=[r.source for r in chosen],
    )


# ------------------------------------------------------------------ first dose, supplies, labs
def _first_dose(hcpcs: str | None) -> FirstDose:
    row = first_dose_table().get(hcpcs or "")
    if row is None:
        return FirstDose()
    return FirstDose(
        premedication=row.get("premedication"),
        observation=row.get("observation"),
        observation_minutes=row.get("observation_minutes"),
        source=row.get("source"),
    )


def _supplies(intake: AssessmentIntake, rules: DrugRules | None) -> Supplies:
    if rules is None:
        return Supplies()
    admin = rules.administration
    items = []
    if admin.get("pump"):
        items.append(f"administration set for: {admin['pump']}")
    if admin.get("filter"):
        items.append(str(admin["filter"]))
    kind = intake.access.kind
    if kind in (AccessKind.PICC, AccessKind.PORT, AccessKind.MIDLINE):
        items.append(
            f"flush and dressing supplies for the {kind.value} (per the prescriber's order)"
        )
    elif kind is AccessKind.PERIPHERAL or kind is AccessKind.NONE:
        items.append("peripheral IV start kit (the nurse places the line)")
    return Supplies(
        pump=admin.get("pump"),
        filter=admin.get("filter"),
        items=items,
        source=rules.source(admin.get("section")),
    )


def _labs(intake: AssessmentIntake, rules: DrugRules | None) -> list[LabOrder]:
    if rules is None:
        return []
    out = []
    for lab in rules.labs:
        done = next(
            (
                r
                for r in intake.labs or []
                if r.done_on is not None and any(mentions(r.name, m) for m in lab.match)
            ),
            None,
        )
        out.append(
            LabOrder(
                rule=lab.id,
                name=lab.name,
                when=lab.when,
                status="on_file" if done else "order",
                done_on=done.done_on if done else None,
                source=rules.source(lab.section),
            )
        )
    return out


# ------------------------------------------------------------------ what was not said
def _unknowns(referral: Referral, intake: AssessmentIntake, rules: DrugRules | None) -> list[str]:
    out = []
    if rules is None:
        out.append(
            f"no clinical rules on file for {referral.therapy.drug_name}: the pharmacist checks "
            "its label for allergies, interactions and labs"
        )
    for label, value in (
        ("allergies", intake.allergies),
        ("current medicines", intake.medicines),
        ("diagnoses and history", intake.conditions),
        ("prior infusions", intake.prior_infusions),
    ):
        if value is None:
            out.append(f"{label}: not asked")
    if intake.access.kind is AccessKind.UNKNOWN:
        out.append("vascular access: not known")
    if (
        weight_based(referral.therapy.dose)
        and intake.weight_kg is None
        and referral.patient.weight_kg is None
    ):
        out.append("weight: not known (the dose is by weight)")
    storage = rules.storage if rules else {}
    if (
        storage.get("refrigerated")
        and not storage.get("room_temperature_allowed")
        and intake.home.refrigeration == "unknown"
    ):
        out.append("refrigerator at home: not known (the label requires refrigerated storage)")
    observation = first_dose_table().get(referral.therapy.hcpcs or "", {})
    if observation.get("observation_minutes") and intake.home.someone_present_after == "unknown":
        out.append(
            "someone with the patient after the infusion: not known (the label asks for observation)"
        )
    return out
