"""Is prior authorization required for this referral? ``decide_prior_auth`` answers.

Two sources, either of which makes it required: the payer's own 271 (EB11=Y on a
home-infusion service type) and our policy table (the payer's published medical policy for
the drug). The 271 alone is weak evidence of "not required" (payers answer at plan level),
so a drug the table does not know under a 271 that says nothing counts as required with the
reason "payer policy unknown": asking needlessly costs a fax, infusing unauthorized costs the
whole claim.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from intake.benefits.summary import BenefitsSummary
from intake.models.referral import Referral
from intake.prior_auth.reference import DrugPolicy, PolicyTable, policy_table
from intake.x12.t270.inquiry import HOME_INFUSION_SERVICE_TYPES

PLAN_LEVEL = "30"
HOME_INFUSION_TYPES = frozenset(HOME_INFUSION_SERVICE_TYPES) - {PLAN_LEVEL}
"""The service types whose EB11 speaks for home infusion (30 is the plan as a whole)."""
POLICY_UNKNOWN = "payer policy unknown"


class PaDecision(BaseModel):
    """Whether to request authorization, why (plain words), and what the reviewer needs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    required: bool
    reasons: list[str]
    documentation: list[str]


def _eb_answer(benefits: BenefitsSummary) -> tuple[bool | None, list[str]]:
    """EB11 on home-infusion lines: True if any says Y, False if some say N and none Y."""
    said_yes: set[str] = set()
    said_no = False
    for line in benefits.benefits:
        types = HOME_INFUSION_TYPES.intersection(line.service_types)
        if not types or line.auth_required is None:
            continue
        if line.auth_required:
            said_yes.update(types)
        else:
            said_no = True
    if said_yes:
        return True, sorted(said_yes)
    return (False, []) if said_no else (None, [])


def drug_policy(referral: Referral, table: PolicyTable | None = None) -> DrugPolicy | None:
    """The table's policy for the referral's drug at its payer (HCPCS first, then NDC)."""
    payer = (table or policy_table()).payers.get(referral.insurance.payer_id)
    if payer is None:
        return None
    therapy = referral.therapy
    for key in (therapy.hcpcs, therapy.ndc):
        if key and key in payer.drugs:
            return payer.drugs[key]
    return None


def decide_prior_auth(
    referral: Referral, benefits: BenefitsSummary, table: PolicyTable | None = None
) -> PaDecision:
    """Decide from the 271 summary and the policy table (see the module docstring)."""
    table = table or policy_table()
    eb, types = _eb_answer(benefits)
    policy = drug_policy(referral, table)
    drug = referral.therapy.hcpcs or referral.therapy.ndc or referral.therapy.drug_name
    reasons: list[str] = []
    if eb:
        reasons.append(
            "the payer's eligibility response requires prior authorization (EB11=Y) for "
            f"service types {', '.join(types)}"
        )
    if policy is not None and policy.required:
        reasons.append(f"the payer's medical policy requires prior authorization for {drug}")
    documentation = list(policy.documentation) if policy is not None else []
    if reasons:
        return PaDecision(
            required=True,
            reasons=reasons,
            documentation=documentation or list(table.default_documentation),
        )
    if policy is not None:
        return PaDecision(
            required=False,
            reasons=[f"the payer's medical policy does not require prior authorization for {drug}"],
            documentation=[],
        )
    if eb is False:
        return PaDecision(
            required=False,
            reasons=[
                "the payer's eligibility response says no authorization is needed (EB11=N) and "
                "no payer policy lists the drug"
            ],
            documentation=[],
        )
    return PaDecision(
        required=True, reasons=[POLICY_UNKNOWN], documentation=list(table.default_documentation)
    )
