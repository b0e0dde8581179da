"""Today's X12 behaviour, recorded: what every fixture reads as and writes back to, and what the
sandbox payer answers the sample referrals (270/271 and 278 request, inquiry and appeal).

``test_x12_golden`` compares the current code against ``golden/x12_golden.json``; the file was
written by this module from the code *before* the X12 engine refactor (issue 21), so the
refactor is checked against the behaviour it replaced. Regenerate only for an intended change:

    .venv/bin/python -m tests.unit.x12.golden
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from intake.authorization.packet import Pharmacy, status_inquiry
from intake.discovery.profiles import ProfilePayers
from intake.discovery.service import demographic_inquiry
from intake.eligibility.benefits.interpret import interpret_271
from intake.eligibility.service import inquiry_for
from intake.models.referral import Referral
from intake.x12.control_numbers import SequentialControlNumbers
from intake.x12.delimiters import Delimiters
from intake.x12.envelope import parse_interchange
from intake.x12.errors import X12Error
from intake.x12.segments import Segment
from intake.x12.t270 import build_270, read_270
from intake.x12.t271.parse import parse_271
from intake.x12.t278 import (
    build_278_appeal,
    build_278_inquiry,
    interpret_278_response,
    parse_278,
)
from intake_local.sandbox.payer import SandboxCatalog, SandboxPayer
from tests.unit.x12.pa_packets import packet_for

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).with_name("golden") / "x12_golden.json"
FIXTURE_DIRS = (ROOT / "tests" / "fixtures" / "x12", ROOT / "tests" / "fixtures" / "public" / "x12")
EVENTS = ROOT / "events" / "referrals"
NOW = datetime(2026, 2, 2, 9, 30)
PIPE = Delimiters(element="|", repetition="!", component=">", segment="\n")
PHARMACY = Pharmacy(
    name="Sandbox Home Infusion Pharmacy",
    npi="1881000008",
    phone="312-555-0150",
    fax="312-555-0151",
    contact_name="Intake Desk",
)


def plain(value: Any) -> Any:
    """Any parse result as JSON-able data (segments as their text, dates ISO, decimals text)."""
    if isinstance(value, Segment):
        return value.render()
    if isinstance(value, BaseModel):
        return plain(value.model_dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "interchange"
        }
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _attempt(fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return plain(fn(*args))
    except X12Error as exc:
        return {"error": type(exc).__name__, "message": str(exc)}


def _fixtures() -> Iterator[tuple[str, str]]:
    for directory in FIXTURE_DIRS:
        for path in sorted(directory.iterdir()):
            if path.suffix in (".270", ".271", ".278"):
                with path.open(encoding="ascii", newline="") as f:
                    yield f"{directory.name}/{path.name}", f.read()


def _fixture_record(name: str, text: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "written": _attempt(lambda: parse_interchange(text, strict=False).to_x12()),
        "written_pipe": _attempt(lambda: parse_interchange(text, strict=False).to_x12(PIPE)),
    }
    if name.endswith(".271"):
        record["parsed"] = _attempt(lambda: parse_271(text))
        record["interpreted"] = _attempt(lambda: interpret_271(text))
    elif name.endswith(".270"):
        record["parsed"] = _attempt(lambda: read_270(text, strict=False))
        payer = SandboxPayer(control_numbers=SequentialControlNumbers(), clock=lambda: NOW)
        record["sandbox_271"] = _attempt(lambda: payer.respond_270(text).x12)
    return record


def _referrals() -> Iterator[tuple[str, Referral]]:
    for path in sorted(EVENTS.glob("*.json")):
        try:
            yield path.stem, Referral.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError:
            continue  # the invalid sample never reaches X12


def _eligibility(payer: SandboxPayer, referral: Referral) -> dict[str, Any]:
    inquiry = inquiry_for(referral, "Sample Home Infusion", "1234567893", "TRACE-1", NOW)
    x270 = build_270(inquiry, control_numbers=SequentialControlNumbers(), now=NOW)
    x271 = payer.respond_270(x270).x12
    return {
        "270": x270,
        "read_270": _attempt(lambda: read_270(x270)),
        "271": x271,
        "parsed_271": _attempt(lambda: parse_271(x271)),
    }


def _discovery(referral: Referral) -> dict[str, Any]:
    """A referral without insurance: the demographic 270s discovery sends the first two payers
    of the profiles' order (issue 26), and what the sandbox answers each."""
    out: dict[str, Any] = {}
    for candidate in ProfilePayers().likely_payers(referral.patient.address.state, 2):
        payer = SandboxPayer(control_numbers=SequentialControlNumbers(), clock=lambda: NOW)
        inquiry = demographic_inquiry(
            referral, candidate, "Sample Home Infusion", "1234567893", "TRACE-1", NOW.date()
        )
        x270 = build_270(inquiry, control_numbers=SequentialControlNumbers(), now=NOW)
        x271 = payer.respond_270(x270).x12
        out[candidate.payer_id] = {
            "270": x270,
            "read_270": _attempt(read_270, x270),
            "271": x271,
            "parsed_271": _attempt(parse_271, x271),
        }
    return out


def _with_member(referral: Referral, member_id: str, payer_id: str) -> Referral:
    insurance = referral.insurance.model_copy(update={"member_id": member_id, "payer_id": payer_id})
    therapy = referral.therapy.model_copy(update={"start_date": date(2026, 3, 1)})
    return referral.model_copy(update={"insurance": insurance, "therapy": therapy})


def _prior_auth(payer: SandboxPayer, referral: Referral) -> dict[str, Any]:
    from intake.models.benefits import BenefitsSummary, CoverageStatus, Party

    benefits = BenefitsSummary(status=CoverageStatus.ACTIVE, payer=Party(name="SANDBOX"))
    packet = packet_for(
        referral,
        benefits,
        PHARMACY,
        now=NOW,
        trace_number="PATRACE001",
        control_numbers=SequentialControlNumbers(),
    )
    request = packet.x12_278
    answer = payer.respond_278(request).x12
    decision = interpret_278_response(answer)
    out: dict[str, Any] = {
        "request": request,
        "parsed_request": _attempt(lambda: parse_278(request)),
        "response": answer,
        "parsed_response": _attempt(lambda: parse_278(answer)),
        "decision": plain(decision),
        "inquiries": [],
    }
    start = referral.therapy.start_date or date(2026, 3, 1)
    for n in range(1, 3):
        inquiry = status_inquiry(
            referral,
            PHARMACY,
            trace_number=f"PAQ{n}",
            original_trace=decision.trace_numbers[0] if decision.trace_numbers else "PATRACE001",
            event_start=start,
            review_number=decision.review_number or "",
        )
        asked = build_278_inquiry(inquiry, control_numbers=SequentialControlNumbers(), now=NOW)
        replied = payer.respond_278(asked).x12
        out["inquiries"].append(
            {
                "inquiry": asked,
                "response": replied,
                "decision": plain(interpret_278_response(replied)),
            }
        )
    if decision.status in ("denied", "modified", "partial") and decision.review_number:
        appeal = build_278_appeal(
            request,
            review_number=decision.review_number,
            trace_number="APPEAL001",
            now=NOW,
            certification_number=decision.certification_number or "",
            control_numbers=SequentialControlNumbers(),
        )
        replied = payer.respond_278(appeal).x12
        out["appeal"] = {
            "request": appeal,
            "response": replied,
            "decision": plain(interpret_278_response(replied)),
        }
    return out


def record() -> dict[str, Any]:
    """Everything the golden file holds, computed by the current code."""
    fixtures = {name: _fixture_record(name, text) for name, text in _fixtures()}
    samples: dict[str, Any] = {}
    for stem, referral in _referrals():
        payer = SandboxPayer(control_numbers=SequentialControlNumbers(), clock=lambda: NOW)
        if referral.insurance is None:  # issue 26: a new shape, the demographic 270
            samples[stem] = {"discovery": _attempt(_discovery, referral)}
            continue
        samples[stem] = {"eligibility": _attempt(_eligibility, payer, referral)}
    base = dict(_referrals())["03-auth-required-chinese"]
    prior_auth: dict[str, Any] = {}
    for rule in SandboxCatalog.load().prior_auth_rules:
        if rule.member_id is None:
            continue
        payer = SandboxPayer(control_numbers=SequentialControlNumbers(), clock=lambda: NOW)
        referral = _with_member(base, rule.member_id, rule.payer_id)
        prior_auth[rule.member_id] = _attempt(_prior_auth, payer, referral)
    return {"fixtures": fixtures, "samples": samples, "prior_auth": prior_auth}


def main() -> None:
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(record(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
