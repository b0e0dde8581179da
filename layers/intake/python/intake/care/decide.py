"""What the assessment decides, from the therapy and what the patient told the pharmacist.
Pure: no store, no clock. Each decision names its source; each fact the patient did not give
is listed in ``unknowns`` (and lowers the confidence) rather than read as "no"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from intake.care.model import (
    AccessKind,
    AssessmentIntake,
    Decisions,
    Finding,
    FirstDose,
    LabOrder,
    Severity,
    SiteDecision,
    Source,
    Supplies,
)
from intake.care.rules import (
    PRECEDENCE,
    DrugRules,
    LabRule,
    Rule,
    SiteReason,
    affirmed,
    first_dose_table,
    mentions,
    rule_table,
)
from intake.models.referral import Referral, SiteOfCare
from intake.therapy.body import weight_based

HOME = "home"
SUITE = "infusion_suite"
_UNCERTAIN_VACCINES = ("shingles", "zoster")
_NAMED_ZOSTER = ("shingrix", "zostavax", "recombinant", "live")


@dataclass(frozen=True, slots=True)
class TherapyFacts:
    """What the decisions need of the order: the drug, where it was ordered, the patient's age
    in days (None: not known) and whether the referral gave a weight."""

    drug_name: str
    hcpcs: str | None = None
    dose: str = ""
    ordered_site: SiteOfCare = SiteOfCare.HOME
    age_days: int | None = None
    weight_given: bool = False

    @classmethod
    def of(cls, referral: Referral, on: date | None = None) -> TherapyFacts:
        t = referral.therapy
        age = (on - referral.patient.date_of_birth).days if on else None
        return cls(
            t.drug_name,
            t.hcpcs,
            t.dose,
            t.site_of_care,
            age,
            referral.patient.weight_kg is not None,
        )


def decide(referral: Referral, intake: AssessmentIntake, on: date | None = None) -> Decisions:
    return evaluate(TherapyFacts.of(referral, on), intake)


def evaluate(therapy: TherapyFacts, intake: AssessmentIntake) -> Decisions:
    rules = rule_table().for_drug(therapy.hcpcs, therapy.drug_name)
    unknowns = _unknowns(therapy, intake, rules)
    conflicts = _conflicts(intake, rules, therapy.age_days) if rules else []
    site = _site(therapy, intake, rules)
    if site.recommendation == "hospital_outpatient":
        reason = rule_table().site_reasons["site-unstable"]
        conflicts.append(
            Finding(
                rule=reason.id,
                on="clinical",
                kind="instability",
                what="clinical stability: unstable",
                why=reason.why,
                source=Source(title=reason.source),
            )
        )
    conflicts.sort(key=lambda f: PRECEDENCE.index(f.kind))
    return Decisions(
        rules_on_file=rules is not None,
        conflicts=conflicts,
        site=site,
        first_dose=_first_dose(rules.hcpcs if rules else therapy.hcpcs),
        supplies=_supplies(intake, rules),
        labs=_labs(intake, rules),
        unknowns=unknowns,
        confidence="lowered" if unknowns else "high",
    )


# ------------------------------------------------------------------ conflicts
def _severity_matches(rule: Rule, severity: Severity | None) -> bool:
    """An unknown severity could be any: it matches every rule (unknown is not "mild")."""
    if rule.severities is None or severity is None or severity is Severity.UNKNOWN:
        return True
    return severity.value in rule.severities


def _conflicts(intake: AssessmentIntake, rules: DrugRules, age_days: int | None) -> list[Finding]:
    found: list[Finding] = []

    def add(rule: Rule, what: str) -> None:
        found.append(
            Finding(
                rule=rule.id,
                on=rule.on,
                kind=rule.kind,
                label_section=rule.label_section,
                what=what,
                why=rule.why,
                source=rules.source(rule.section),
            )
        )

    for rule in rules.rules:
        if not rule.applies_at(age_days):
            continue
        if rule.on == "allergy":
            for a in intake.allergies or []:
                if any(mentions(a.substance, m) for m in rule.match) and _severity_matches(
                    rule, a.severity
                ):
                    add(
                        rule,
                        f"allergy: {a.substance} ({a.reaction or 'reaction not described'}, "
                        f"{a.severity.value})",
                    )
        elif rule.on == "medicine":
            for m in intake.medicines or []:
                if any(affirmed(m.name, term) for term in rule.match):
                    add(rule, f"current medicine: {m.name}")
        elif rule.on == "vaccine":
            for v in intake.planned_vaccines or []:
                if any(affirmed(v, term) for term in rule.match):
                    add(rule, f"planned vaccine: {v}")
        elif rule.on == "condition":
            for c in intake.conditions or []:
                by_word = any(affirmed(c.name, term) for term in rule.match)
                code = (c.icd10 or "").replace(".", "")
                by_code = bool(code) and any(
                    code.startswith(p.replace(".", "")) for p in rule.icd10
                )
                if by_word or by_code:
                    add(rule, f"condition: {c.name}" + (f" ({c.icd10})" if c.icd10 else ""))
        elif rule.on == "prior_reaction":
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
def _site(therapy: TherapyFacts, intake: AssessmentIntake, rules: DrugRules | None) -> SiteDecision:
    """The first sourced reason that decides (``site_of_care.reasons`` in the rule table), and
    the review items every applicable reason adds. Caregiver, refrigeration and distance make
    review items only: no public rule read sets a threshold for them."""
    table = rule_table().site_reasons
    site_data = rules.site if rules else {}
    deciding: list[SiteReason] = []
    review: list[str] = []
    if intake.clinical_stability == "unstable":
        deciding.append(table["site-unstable"])
    if any(
        p.reaction_severity in (Severity.SEVERE, Severity.ANAPHYLAXIS)
        for p in intake.prior_infusions or []
    ):
        deciding.append(table["site-prior-severe-reaction"])
    if site_data.get("self_administered"):
        deciding.append(table["site-self-administered"])
    if site_data.get("opat"):
        caregiver = intake.home.caregiver
        deciding.append(
            table["site-opat-caregiver" if caregiver == "yes" else "site-opat-no-caregiver"]
        )
    if intake.months_since_last_dose is not None and intake.months_since_last_dose >= 6:
        deciding.append(table["site-reinitiation"])
    if site_data.get("rems"):
        review.append(str(site_data["rems"]))
    if intake.home.refrigeration == "no":
        storage = rules.storage if rules else {}
        words = f" ({storage['words']})" if storage.get("words") else ""
        review.append(f"{table['site-storage'].review}{words}")
    observation = first_dose_table().get(rules.hcpcs if rules else "", {})
    if observation.get("observation_minutes") and intake.home.someone_present_after == "no":
        review.append(str(table["site-observation-alone"].review))
    review += [r.review for r in deciding if r.review]
    chosen = next((r for r in deciding if r.recommends != "either"), None)
    if chosen is None:
        chosen = deciding[0] if deciding else table["site-preferred"]
    recommendation = chosen.recommends
    ordered = therapy.ordered_site.value
    site = SUITE if recommendation == SUITE else ordered
    return SiteDecision(
        recommendation=recommendation,  # type: ignore[arg-type]
        site=site,  # type: ignore[arg-type]
        changed=site != ordered,
        reasons=[chosen.why],
        sources=[chosen.source],
        review=review,
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
                due=lab.due,
                repeat=lab.repeat,
                when=_when(lab),
                threshold=lab.threshold,
                status="on_file" if done else "order",
                done_on=done.done_on if done else None,
                source=rules.source(lab.section),
            )
        )
    return out


def _when(lab: LabRule) -> str:
    words = lab.repeat_words or {"once": "once", "weekly": "weekly while doses last"}.get(
        lab.repeat, lab.repeat
    )
    return f"{lab.due}; then {words}" if lab.due == "before first dose" else f"{lab.due}: {words}"


@dataclass(frozen=True, slots=True)
class Draw:
    """A lab (or a prescriber evaluation) with its dates: ``on`` a list of days, or a window."""

    rule: str
    name: str
    due: str
    repeat: str
    on: tuple[date, ...] = ()
    window: tuple[date, date] | None = None


def monitoring(
    rules: DrugRules, first_dose: date, last_dose: date | None, infusions: tuple[date, ...] = ()
) -> list[Draw]:
    """The labs' dates from the first dose: weekly draws while doses last (first dose + 7 d,
    + 14 d … up to the last dose), a window in days after the first dose, one per infusion
    day, and the label's evaluations in calendar months. A repeat the source does not fix has
    no dates (none is invented)."""
    out = []
    for lab in rules.labs:
        on: tuple[date, ...] = ()
        window = None
        if lab.repeat == "weekly" and last_dose is not None:
            weeks = (last_dose - first_dose).days // 7
            on = tuple(first_dose + timedelta(days=7 * k) for k in range(1, weeks + 1))
        elif lab.repeat == "window" and lab.window_days:
            window = (
                first_dose + timedelta(days=lab.window_days[0]),
                first_dose + timedelta(days=lab.window_days[1]),
            )
        elif lab.repeat == "before every infusion":
            on = infusions
        out.append(Draw(lab.id, lab.name, lab.due, lab.repeat, on, window))
    evaluations = rules.evaluations
    if evaluations:
        months = list(evaluations["after_months"])
        step = int(evaluations["then_every_months"])
        while months[-1] + step <= 12:
            months.append(months[-1] + step)
        out.append(
            Draw(
                "evaluation",
                str(evaluations["what"]),
                "after the first dose",
                f"every {step} months",
                tuple(_add_months(first_dose, m) for m in months),
            )
        )
    return out


def _add_months(day: date, months: int) -> date:
    """Calendar months, the same day number (the last day of a shorter month)."""
    import calendar

    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


# ------------------------------------------------------------------ what was not said
def _unknowns(
    therapy: TherapyFacts, intake: AssessmentIntake, rules: DrugRules | None
) -> list[str]:
    out = []
    if rules is None:
        out.append(
            f"no clinical rules on file for {therapy.drug_name}: the pharmacist checks "
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
    if weight_based(therapy.dose) and intake.weight_kg is None and not therapy.weight_given:
        out.append("weight: not known (the dose is by weight)")
    if (
        therapy.age_days is None
        and rules
        and any(r.age_max_days is not None or r.age_min_days is not None for r in rules.rules)
    ):
        out.append("age: not known (a rule of this drug depends on it)")
    storage = rules.storage if rules else {}
    if (
        storage.get("refrigerated")
        and not storage.get("room_temperature_allowed")
        and intake.home.refrigeration == "unknown"
    ):
        out.append("refrigerator at home: not known (the label requires refrigerated storage)")
    observation = first_dose_table().get(rules.hcpcs if rules else "", {})
    if observation.get("observation_minutes") and intake.home.someone_present_after == "unknown":
        out.append(
            "someone with the patient after the infusion: not known (the label asks for "
            "observation)"
        )
    for v in intake.planned_vaccines or []:
        if any(mentions(v, t) for t in _UNCERTAIN_VACCINES) and not any(
            mentions(v, t) for t in _NAMED_ZOSTER
        ):
            out.append(f"planned vaccine '{v}': which product (Shingrix is not live; confirm)")
    return out
