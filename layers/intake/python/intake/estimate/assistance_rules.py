"""Which assistance programs fit a patient, decided from the plan class, the drug, the
diagnoses and the stated income, each decision naming its rule and source.

* Manufacturer copay programs: commercial plans only. Patients on Medicare, Medicaid, TRICARE,
  VA or another government program are refused, citing the OIG Special Advisory Bulletin on
  manufacturer copayment coupons (2014) and the anti-kickback statute (``rules`` in the data).
* Independent foundations: by disease fund (ICD-10 category), open or closed as read on a date,
  income at or below the fund's % of the HHS poverty guidelines.
* The pharmacy's own assistance: by income band (% of the guidelines).

Income is never assumed: a program that judges income and has none says ``income_needed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from intake.estimate.assistance import AssistanceCatalog, Fund, Program
from intake.estimate.assistance_model import ProgramDecision, StatedIncome
from intake.estimate.poverty import IncomeLevel, percent_of_poverty
from intake.reference.contracts import PlanClass

GOVERNMENT_NAMES = {
    PlanClass.MEDICARE: "Medicare",
    PlanClass.MEDICAID: "Medicaid",
    PlanClass.GOVERNMENT: "a government program (TRICARE, VA or another federal program)",
}


def income_level(income: StatedIncome | None, on: date) -> tuple[IncomeLevel | None, str | None]:
    """(the level, None) or (None, what to ask): never a guess."""
    if income is None:
        return None, "the household's size and yearly income (not stated)"
    if income.fpl_percent is not None:
        return IncomeLevel(
            income.fpl_percent, Decimal(0), on.year, "band recorded by a liaison"
        ), None
    if income.household_size is None or income.annual_income is None:
        missing = "household size" if income.household_size is None else "yearly income"
        return None, f"the household's {missing} (not stated)"
    level = percent_of_poverty(
        income.annual_income, income.household_size, income.stated_on or on, income.state
    )
    if level is None:
        return None, (
            f"a person to judge the income: {income.state} has its own poverty guidelines, "
            "not held here"
        )
    return level, None


def _fund_for(program: Program, hcpcs: str, diagnoses: Sequence[str]) -> Fund | None:
    codes = [d.upper().replace(".", "") for d in diagnoses]
    for fund in program.funds:
        if fund.drugs and hcpcs not in fund.drugs:
            continue
        if any(c.startswith(prefix) for c in codes for prefix in fund.diagnoses):
            return fund
    return None


def _decision(
    program: Program, status: str, reasons: list[str], **extra: object
) -> ProgramDecision:
    source = program.source
    return ProgramDecision.model_validate(
        {
            "program_id": program.id,
            "name": program.name,
            "kind": program.kind,
            "status": status,
            "reasons": tuple(reasons),
            "requires": program.enrollment.requires if program.enrollment else (),
            "source": source.cite if source else "assistance.json (no source recorded)",
            "source_read": source.read if source else None,
            **extra,
        }
    )


def _manufacturer(
    catalog: AssistanceCatalog, program: Program, plan_class: PlanClass, indication: str | None
) -> ProgramDecision:
    rules = catalog.rules
    excluded = rules.manufacturer_excluded_plan_classes if rules else ()
    if plan_class in excluded:
        cite = rules.manufacturer_exclusion_source if rules else ""
        who = GOVERNMENT_NAMES.get(plan_class, plan_class.value)
        return _decision(
            program,
            "not_eligible",
            [
                f"the patient is on {who}: manufacturer copay programs are for commercially "
                f"insured patients only ({cite})"
            ],
        )
    if plan_class is PlanClass.UNKNOWN:
        return _decision(
            program,
            "plan_type_needed",
            ["whether the plan is commercial is not known: confirm it before offering the program"],
        )
    if plan_class not in program.plan_classes:
        return _decision(program, "not_eligible", [f"not offered to {plan_class.value} plans"])
    if (
        program.indications
        and indication is not None
        and not any(i.lower() in indication.lower() for i in program.indications)
    ):
        return _decision(
            program,
            "not_eligible",
            [
                f"the indication ({indication}) is not an FDA-approved use the program covers "
                f"({', '.join(program.indications)})"
            ],
        )
    reasons = ["commercial insurance"]
    if not program.terms_known:
        reasons.append("its terms are not recorded: offered, not applied to the estimate")
    return _decision(program, "eligible", reasons)


def _foundation(
    program: Program,
    plan_class: PlanClass,
    hcpcs: str,
    diagnoses: Sequence[str],
    level: IncomeLevel | None,
) -> ProgramDecision:
    if not program.funds:
        return _decision(
            program, "referral_only", ["its terms are not recorded: a resource to refer to"]
        )
    if plan_class not in program.plan_classes:
        return _decision(program, "not_eligible", [f"does not help {plan_class.value} plans"])
    fund = _fund_for(program, hcpcs, diagnoses)
    if fund is None:
        return _decision(
            program,
            "not_eligible",
            [f"no fund for the diagnoses ({', '.join(diagnoses) or 'none given'}) and this drug"],
        )
    extra: dict[str, object] = {
        "fund_id": fund.id,
        "fund_status_read": fund.status_read,
        "income_limit_fpl_percent": fund.income_limit_fpl_percent,
    }
    if fund.status == "closed":
        return _decision(
            program,
            "fund_closed",
            [f"the {fund.disease} fund was closed when read on {fund.status_read.isoformat()}"],
            **extra,
        )
    limit = fund.income_limit_fpl_percent
    if limit is None:
        return _decision(program, "eligible", [f"the {fund.disease} fund is open"], **extra)
    if level is None:
        return _decision(
            program,
            "income_needed",
            [f"the {fund.disease} fund is open; its limit is {limit}% of the poverty guideline"],
            **extra,
        )
    extra["income_fpl_percent"] = level.percent
    if level.percent > limit:
        return _decision(
            program,
            "not_eligible",
            [
                f"household income is {level.percent}% of the poverty guideline, above the fund's {limit}%"
            ],
            **extra,
        )
    return _decision(
        program,
        "eligible",
        [f"the {fund.disease} fund is open; income {level.percent}% ≤ {limit}%"],
        **extra,
    )


NEED_DETERMINATION = (
    "for a patient on a government plan the pharmacy waives cost sharing only after an "
    "individual determination of financial need, never routinely or advertised "
    "(42 U.S.C. 1320a-7a(i)(6)(A); OIG pharmacy cost-sharing safe harbor, 2016 final rule)"
)


def _pharmacy(
    program: Program, level: IncomeLevel | None, plan_class: PlanClass, proof: bool
) -> ProgramDecision:
    top = max((b.up_to_fpl_percent for b in program.income_bands), default=0)
    if plan_class in GOVERNMENT_NAMES and level is not None and not proof:
        return _decision(
            program,
            "income_needed",
            [f"the application and proof of income are not in yet: {NEED_DETERMINATION}"],
            income_fpl_percent=level.percent,
        )
    if level is None:
        return _decision(
            program,
            "income_needed",
            [f"decided by household income (bands up to {top}% of the poverty guideline)"],
        )
    band = next(
        (
            b
            for b in sorted(program.income_bands, key=lambda b: b.up_to_fpl_percent)
            if level.percent <= b.up_to_fpl_percent
        ),
        None,
    )
    if band is None:
        return _decision(
            program,
            "not_eligible",
            [f"household income is {level.percent}% of the poverty guideline, above {top}%"],
            income_fpl_percent=level.percent,
        )
    return _decision(
        program,
        "eligible",
        [
            f"income {level.percent}% of the poverty guideline: the band up to "
            f"{band.up_to_fpl_percent}% pays {band.pays_share * 100:.0f}% of the covered share"
        ],
        income_fpl_percent=level.percent,
        pays_share=band.pays_share,
    )


def decide(
    catalog: AssistanceCatalog,
    *,
    hcpcs: str,
    plan_class: PlanClass,
    diagnoses: Sequence[str],
    income: StatedIncome | None,
    on: date,
    indication: str | None = None,
) -> tuple[tuple[ProgramDecision, ...], tuple[str, ...], IncomeLevel | None]:
    """Every program for this drug (or any drug), decided; what to ask; the income level."""
    level, ask = income_level(income, on)
    decisions: list[ProgramDecision] = []
    for program in catalog.programs:
        if program.drugs and hcpcs not in program.drugs:
            continue
        if program.kind == "manufacturer":
            decisions.append(_manufacturer(catalog, program, plan_class, indication))
        elif program.kind == "foundation":
            decisions.append(_foundation(program, plan_class, hcpcs, diagnoses, level))
        else:
            proof = income is not None and income.proof_received
            decisions.append(_pharmacy(program, level, plan_class, proof))
    asks = []
    if ask and any(d.status == "income_needed" for d in decisions):
        asks.append(ask)
    if any(d.status == "plan_type_needed" for d in decisions):
        asks.append(
            "whether the plan is commercial (employer or individual) or a government program"
        )
    return tuple(decisions), tuple(asks), level
