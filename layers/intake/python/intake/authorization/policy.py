"""Is prior authorization required for this referral? ``decide_prior_auth`` answers.

Two sources, either of which makes it required: the payer's medical policy for the drug (our
policy table) and the payer's own 271, read per part of the service: the drug, the per diem
and nursing, each through the service types that describe it at this site of care, most
specific first (home: drug 43 → 1 → 12, per diem 42 → 12 → 18 → 1, nursing 44 → 42 → 1; an
infusion suite is not home health, so 42/43/44 do not speak for it). Plan level (30) counts
for a part only when nothing more specific answers for it. An EB11=Y on any part requires
authorization; an EB11=N never overrules the policy table, and "not required" without a policy
needs the 271 to say N for every part: a lone N on a home-health line (nursing) says nothing
about a $34k drug. A drug the table does not know under a 271 that does not answer for every
part counts as required ("payer policy unknown"): asking needlessly costs a fax, infusing
unauthorized costs the whole claim.

Network: out of network (our contract with the payer, or no contract) with no out-of-network
benefit in the 271 means the plan pays nothing unless it agrees to a network exception (a
single-case agreement): the decision says so and is never "not required".

``reasons`` are plain words for a nurse reviewer; ``audit`` keeps the X12 reasoning.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from intake.authorization.packet.reference import DrugPolicy, PolicyTable, policy_table
from intake.models.benefits import BenefitLine, BenefitsSummary
from intake.models.referral import Referral, SiteOfCare
from intake.reference.contracts import ContractTerms, load_contracts

PLAN_LEVEL = "30"
POLICY_UNKNOWN = "payer policy unknown"
PARTS: dict[SiteOfCare, dict[str, tuple[str, ...]]] = {
    SiteOfCare.HOME: {
        "the drug": ("43", "1", "12"),
        "the per diem (pharmacy services, supplies, pump)": ("42", "12", "18", "1"),
        "nursing visits": ("44", "42", "1"),
    },
    SiteOfCare.INFUSION_SUITE: {
        "the drug": ("1", "12"),
        "the per diem (pharmacy services, supplies, pump)": ("1", "12", "18"),
        "nursing visits": ("1",),
    },
}
"""Service types that describe each part of the service at each site of care, most specific
first (the estimate reads cost sharing in the same order)."""
HOME_INFUSION_TYPES = frozenset(t for parts in PARTS.values() for ts in parts.values() for t in ts)
_BENEFIT_CODES = frozenset({"1", "2", "3", "4", "5", "A", "B", "C", "CB", "F", "G"})
"""EB01 codes that describe a benefit the plan pays (not I non-covered, E exclusions, 6-8
inactive)."""


class PaDecision(BaseModel):
    """Whether to request authorization, why (plain words), and what the reviewer needs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    required: bool
    reasons: list[str]
    documentation: list[str]
    network_exception: bool = False
    """Out of network with no out-of-network benefit: ask for a single-case agreement."""
    network_exception_reason: str | None = None
    audit: list[str] = Field(default_factory=list)
    """The X12 and contract reasoning behind ``reasons`` (EB11/EB12, service types)."""
    policy: str | None = None
    """The payer policy the decision used (None: no policy lists the drug at this payer)."""


def _part_answer(lines: Sequence[BenefitLine], types: tuple[str, ...]) -> tuple[bool | None, str]:
    """EB11 for one part: the most specific service type that answers, else plan level."""
    for stc in (*types, PLAN_LEVEL):
        flags = [
            line.auth_required
            for line in lines
            if stc in line.service_types and line.auth_required is not None
        ]
        if flags:
            answer = any(flags)
            level = " (plan level)" if stc == PLAN_LEVEL else ""
            return answer, f"EB11={'Y' if answer else 'N'} on service type {stc}{level}"
    return None, f"no EB11 on service types {', '.join((*types, PLAN_LEVEL))}"


def drug_policy(referral: Referral, table: PolicyTable | None = None) -> DrugPolicy | None:
    """The table's policy for the referral's drug at its payer (HCPCS first, then NDC)."""
    payer = (table or policy_table()).payer(referral.coverage.payer_id)
    if payer is None:
        return None
    therapy = referral.therapy
    for key in (therapy.hcpcs, therapy.ndc):
        if key and key in payer.drugs:
            return payer.drugs[key]
    return None


def _network(
    referral: Referral, benefits: BenefitsSummary, terms: ContractTerms | None
) -> tuple[str | None, list[str]]:
    """The network-exception reason (None when not needed) and its audit lines."""
    terms = terms or load_contracts().terms_for(referral.coverage.payer_id, benefits.plan)
    contract = f"contract: {terms.name} {'in' if terms.in_network else 'out of'} network" + (
        "" if terms.known else " (no contract with this payer)"
    )
    if terms.in_network:
        return None, [contract]
    oon = [
        line
        for line in benefits.benefits
        if line.in_network is False
        and line.code in _BENEFIT_CODES
        and (
            not line.service_types
            or HOME_INFUSION_TYPES.union({PLAN_LEVEL}) & set(line.service_types)
        )
    ]
    if oon:
        codes = sorted({f"EB01={line.code}" for line in oon})
        return None, [
            contract,
            f"271: out-of-network benefits present ({', '.join(codes)}, EB12=N)",
        ]
    return (
        "the pharmacy is out of network for this plan and the plan pays no out-of-network "
        "benefit: ask the payer for a network exception (single-case agreement) before "
        "treatment",
        [contract, "271: no out-of-network benefit (no covered EB line with EB12=N)"],
    )


def policy_cited(referral: Referral, table: PolicyTable, policy: DrugPolicy | None) -> str | None:
    """The policy a decision used: the data's own id when it names one, else the payer's
    entry in the payer directory (``intake.directory``) for the drug."""
    if policy is None:
        return None
    if policy.policy:
        return policy.policy
    payer = table.payer(referral.coverage.payer_id)
    if payer is None:
        return None
    drug = referral.therapy.hcpcs or referral.therapy.ndc or referral.therapy.drug_name
    return f"{payer.name} medical policy for {drug} (payer directory)"


def decide_prior_auth(
    referral: Referral,
    benefits: BenefitsSummary,
    table: PolicyTable | None = None,
    *,
    terms: ContractTerms | None = None,
) -> PaDecision:
    """Decide from the 271 summary, the policy table and the contract (module docstring).
    ``terms`` defaults to the shipped contracts' terms for the payer and plan."""
    table = table or policy_table()
    parts = PARTS[referral.therapy.site_of_care]
    answers: dict[str, bool | None] = {}
    audit: list[str] = []
    for part, types in parts.items():
        answers[part], why = _part_answer(benefits.benefits, types)
        audit.append(f"{part}: {why}")
    policy = drug_policy(referral, table)
    drug = referral.therapy.hcpcs or referral.therapy.ndc or referral.therapy.drug_name
    exception, network_audit = _network(referral, benefits, terms)
    audit += network_audit
    reasons: list[str] = []
    said_yes = [part for part, answer in answers.items() if answer]
    if said_yes:
        reasons.append(
            "the payer's eligibility response says prior authorization is required for "
            + " and ".join(said_yes)
        )
    if policy is not None and policy.required:
        reasons.append(f"the payer's medical policy requires prior authorization for {drug}")
    every_part_no = all(answer is False for answer in answers.values())
    if not reasons and policy is None and not every_part_no:
        reasons.append(POLICY_UNKNOWN)
    if exception is not None:
        reasons.append(exception)
    documentation = list(policy.documentation) if policy is not None else []
    if reasons:
        return PaDecision(
            required=True,
            reasons=reasons,
            documentation=documentation or list(table.default_documentation),
            network_exception=exception is not None,
            network_exception_reason=exception,
            audit=audit,
            policy=policy_cited(referral, table, policy),
        )
    because = (
        f"the payer's medical policy does not require prior authorization for {drug}"
        if policy is not None
        else "the payer's eligibility response says no authorization is needed for the drug, "
        "the per diem or nursing, and no payer policy lists the drug"
    )
    return PaDecision(
        required=False,
        reasons=[because],
        documentation=[],
        audit=audit,
        policy=policy_cited(referral, table, policy),
    )
