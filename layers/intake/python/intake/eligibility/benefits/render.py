"""The stable JSON shape of a verification, for the CLI and for API consumers.

Keys here are a contract (documented in the ``intake x12 read-271`` help): add keys, never
rename or drop them. Amounts and percents are decimal strings so no consumer turns money into
floats; absent values are null.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from intake.eligibility.benefits.parts import cost_share_by_part_json
from intake.models.benefits import (
    Accumulator,
    BenefitLine,
    BenefitsSummary,
    ByNetwork,
    CostShare,
    PersonEcho,
    Rejection,
    VisitLimit,
)

JsonObject = dict[str, Any]


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _person(p: PersonEcho) -> JsonObject:
    return {
        "member_id": p.member_id,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "dob": _date(p.dob),
    }


def _acc(a: Accumulator) -> JsonObject:
    return {
        "total": _dec(a.total),
        "remaining": _dec(a.remaining),
        "met": _dec(a.met),
        "period": a.period,
    }


def _network(n: ByNetwork) -> JsonObject:
    return {
        side: {"individual": _acc(level.individual), "family": _acc(level.family)}
        for side, level in (("in_network", n.in_network), ("out_of_network", n.out_of_network))
    }


def _share(c: CostShare) -> JsonObject:
    return {"in_network": _dec(c.in_network), "out_of_network": _dec(c.out_of_network)}


def _benefit(b: BenefitLine) -> JsonObject:
    return {
        "code": b.code,
        "description": b.description,
        "coverage_level": b.coverage_level,
        "service_types": list(b.service_types),
        "insurance_type": b.insurance_type,
        "plan_description": b.plan_description,
        "time_period": b.time_period,
        "amount": _dec(b.amount),
        "percent": _dec(b.percent),
        "quantity_qualifier": b.quantity_qualifier,
        "quantity": _dec(b.quantity),
        "auth_required": b.auth_required,
        "in_network": b.in_network,
        "messages": list(b.messages),
        "related_entities": [r.model_dump(mode="json") for r in b.related_entities],
        "coverage": b.coverage,
        "domain": b.domain,
        "dates": [d.model_dump(mode="json") for d in b.dates],
        "segment": b.segment,
    }


def _rejection(r: Rejection) -> JsonObject:
    return {
        "code": r.code,
        "follow_up": r.follow_up,
        "loop": r.loop,
        "description": r.description,
        "follow_up_description": r.follow_up_description,
    }


def _visit(v: VisitLimit) -> JsonObject:
    return {
        "code": v.code,
        "service_types": list(v.service_types),
        "quantity_qualifier": v.quantity_qualifier,
        "quantity": _dec(v.quantity),
        "time_period": v.time_period,
        "time_period_description": v.time_period_description,
        "coverage_level": v.coverage_level,
        "in_network": v.in_network,
    }


def summary_json(s: BenefitsSummary) -> JsonObject:
    """One patient's verification as JSON-ready data."""
    coinsurance = _share(s.coinsurance)
    copay = _share(s.copay)
    return {
        "status": s.status.value,
        "status_detail": s.status_detail,
        "payer": {"name": s.payer.name, "id": s.payer.id},
        "subscriber": _person(s.subscriber),
        "patient": {
            **_person(s.patient),
            "is_dependent": s.is_dependent,
            "relationship": s.relationship,
        },
        "plan": s.plan.model_dump(mode="json"),
        "coverage_level": s.coverage_level,
        "benefits": [_benefit(b) for b in s.benefits],
        "rejections": [_rejection(r) for r in s.rejections],
        "summary": {
            "deductible": _network(s.summary.deductible),
            "out_of_pocket": _network(s.summary.out_of_pocket),
            "coinsurance": coinsurance,
            "copay": copay,
            "auth_required": s.auth_required,
        },
        "coinsurance": coinsurance,
        "copay": copay,
        "auth_required": s.auth_required,
        "visit_limits": [_visit(v) for v in s.visit_limits],
        "messages": list(s.messages),
        "demographics_mismatch": s.demographics_mismatch,
        "mismatches": None if s.mismatches is None else list(s.mismatches),
        "trace_numbers": list(s.trace_numbers),
        "warnings": list(s.warnings),
        "coverages": [c.model_dump(mode="json") for c in s.coverages],
        "infusion_coverage": s.infusion_coverage,
        "cost_share_by_part": cost_share_by_part_json(s),
    }


def benefits_json(results: Sequence[BenefitsSummary]) -> JsonObject | list[JsonObject]:
    """A single object for one patient, a list for several (or none)."""
    rendered = [summary_json(s) for s in results]
    return rendered[0] if len(rendered) == 1 else rendered


def dumps_benefits(results: Sequence[BenefitsSummary], indent: int | None = 2) -> str:
    return json.dumps(benefits_json(results), indent=indent, ensure_ascii=False)
