"""Build a 271 answering a parsed 270: for the sandbox payer and for test fixtures.

The reply echoes the 270's BHT reference and trace numbers (TRN*2) so the requester can match
it, and the subscriber as the *payer* has them on file, which is how a referral's misspelt name
or wrong date of birth becomes visible. A rejection at 2100A or 2100B ends the response at that
loop, as the TR3 requires (there is nothing below to report on).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Unpack

from pydantic import ConfigDict

from intake.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from intake.x12.errors import X12BuildError
from intake.x12.segments import Segment, repeated
from intake.x12.t270.read import InquiredPerson, ParsedInquiry
from intake.x12.t271.grammar import T271
from intake.x12.writer import SegmentWriter, WriteOptions, write_transaction

IMPLEMENTATION_271 = T271.implementation
RejectionLoop = Literal["2100A", "2100B", "2100C", "2100D"]


@dataclass(frozen=True, slots=True)
class RelatedEntitySpec:
    """A 2120 entity (LS*2120 … LE*2120), e.g. ``P3`` primary care provider."""

    entity_code: str
    name: str
    entity_type: str = "2"
    first_name: str = ""
    id_qualifier: str = ""
    id: str = ""

    __pydantic_config__ = ConfigDict(extra="forbid")


@dataclass(frozen=True, slots=True)
class BenefitSpec:
    """One EB line to send. ``auth_required``/``in_network`` map to EB11/EB12 Y/N (None: omit)."""

    code: str
    coverage_level: str = ""
    service_types: tuple[str, ...] = ()
    insurance_type: str = ""
    plan_description: str = ""
    time_period: str = ""
    amount: Decimal | None = None
    percent: Decimal | None = None
    quantity_qualifier: str = ""
    quantity: Decimal | None = None
    auth_required: bool | None = None
    in_network: bool | None = None
    messages: tuple[str, ...] = ()
    related_entities: tuple[RelatedEntitySpec, ...] = ()

    __pydantic_config__ = ConfigDict(extra="forbid")  # read from the sandbox's plans.json


@dataclass(frozen=True, slots=True)
class RejectionSpec:
    """An AAA to send at ``loop``: AAA03 reject reason ``code``, AAA04 ``follow_up`` action."""

    loop: RejectionLoop
    code: str
    follow_up: str = "C"
    valid_request: bool = False


@dataclass(frozen=True, slots=True)
class MemberEcho:
    """A person as the payer has them on file (echoed in 2100C/2100D instead of the 270's)."""

    first_name: str
    last_name: str
    dob: date | None = None
    sex: str = ""
    member_id: str = ""


@dataclass(frozen=True, slots=True)
class Answer271:
    """The payer's answer about one inquired patient."""

    inquiry: ParsedInquiry
    benefits: tuple[BenefitSpec, ...] = ()
    rejections: tuple[RejectionSpec, ...] = ()
    subscriber: MemberEcho | None = None
    dependent: MemberEcho | None = None
    group_number: str = ""
    plan_begin: date | None = None
    plan_end: date | None = None
    extra_dates: tuple[tuple[str, date], ...] = field(default_factory=tuple)


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _yn(value: bool | None) -> str | None:
    return None if value is None else ("Y" if value else "N")


class _Writer(SegmentWriter):
    def rejections(self, specs: Sequence[RejectionSpec], loop: str) -> None:
        for r in specs:
            if r.loop == loop:
                self.aaa(r.valid_request, r.code, r.follow_up)

    def member(
        self, code: str, asked: InquiredPerson, echo: MemberEcho | None, with_id: bool
    ) -> None:
        first = echo.first_name if echo else asked.entity.first_name
        last = echo.last_name if echo else asked.entity.last_or_org_name
        member_id = echo.member_id if echo and echo.member_id else asked.member_id
        if with_id and member_id:  # a demographic 270 not matched has no id to echo
            self.add("NM1", code, "1", last, first, "", "", "", "MI", member_id)
        else:
            self.add("NM1", code, "1", last, first)

    def member_demographics(self, asked: InquiredPerson, echo: MemberEcho | None) -> None:
        dob = echo.dob if echo else asked.dob
        if dob is not None:
            self.body.append(self.demographics(dob, echo.sex if echo else asked.sex))

    def traces(self, asked: InquiredPerson) -> None:
        for number, originator in zip(asked.trace_numbers, asked.trace_originators, strict=True):
            self.add("TRN", "2", number, originator)

    def benefit(self, b: BenefitSpec) -> None:
        self.add(
            "EB",
            b.code,
            b.coverage_level or None,
            repeated(*b.service_types) if b.service_types else None,
            b.insurance_type or None,
            b.plan_description or None,
            b.time_period or None,
            _amount(b.amount),
            _amount(b.percent),
            b.quantity_qualifier or None,
            _amount(b.quantity),
            _yn(b.auth_required),
            _yn(b.in_network),
        )
        for text in b.messages:
            self.add("MSG", text)
        if b.related_entities:
            self.add("LS", "2120")
            for r in b.related_entities:
                self.add(
                    "NM1",
                    r.entity_code,
                    r.entity_type,
                    r.name,
                    r.first_name or None,
                    "",
                    "",
                    "",
                    r.id_qualifier or None,
                    r.id or None,
                )
            self.add("LE", "2120")

    def plan_dates(self, a: Answer271) -> None:
        if a.plan_begin and a.plan_end:
            self.add(
                "DTP",
                "346",
                "RD8",
                f"{a.plan_begin.strftime('%Y%m%d')}-{a.plan_end.strftime('%Y%m%d')}",
            )
        elif a.plan_begin:
            self.add("DTP", "346", "D8", a.plan_begin.strftime("%Y%m%d"))
        for qualifier, when in a.extra_dates:
            self.add("DTP", qualifier, "D8", when.strftime("%Y%m%d"))


def build_271_body(
    answers: Sequence[Answer271],
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    now: datetime | None = None,
) -> list[Segment]:
    """The segments between ST and SE; all answers share the first one's payer and provider."""
    if not answers:
        raise X12BuildError("a 271 answers at least one inquiry")
    stamp = now or datetime.now()
    first = answers[0].inquiry
    all_rejections = [r for a in answers for r in a.rejections]
    stop_at_source = any(r.loop == "2100A" for r in all_rejections)
    stop_at_receiver = any(r.loop == "2100B" for r in all_rejections)
    w = _Writer(delimiters)
    w.add(
        "BHT",
        "0022",
        "11",
        first.bht_reference or None,
        stamp.strftime("%Y%m%d"),
        stamp.strftime("%H%M"),
    )
    w.add("HL", "1", "", "20", "0" if stop_at_source else "1")
    w.nm1("PR", first.payer)
    w.rejections(all_rejections, "2100A")
    if stop_at_source:
        return w.body
    w.add("HL", "2", "1", "21", "0" if stop_at_receiver else "1")
    w.nm1("1P", first.provider)
    w.rejections(all_rejections, "2100B")
    if stop_at_receiver:
        return w.body
    hl = 2
    for a in answers:
        q = a.inquiry
        hl += 1
        subscriber_hl = hl
        subscriber_rejected = any(r.loop == "2100C" for r in a.rejections)
        dep = None if subscriber_rejected else q.dependent
        w.add("HL", str(hl), "2", "22", "1" if dep else "0")
        if q.dependent is None or subscriber_rejected:
            w.traces(q.subscriber if q.dependent is None else q.dependent)
        w.member("IL", q.subscriber, a.subscriber, with_id=True)
        if a.group_number:
            w.add("REF", "6P", a.group_number)
        w.member_demographics(q.subscriber, a.subscriber)
        w.rejections(a.rejections, "2100C")
        rejected = any(r.loop in ("2100C", "2100D") for r in a.rejections)
        if dep is None:
            if not rejected:
                w.plan_dates(a)
                for b in a.benefits:
                    w.benefit(b)
            continue
        hl += 1
        w.add("HL", str(hl), str(subscriber_hl), "23", "0")
        w.traces(dep)
        w.member("03", dep, a.dependent, with_id=False)
        w.member_demographics(dep, a.dependent)
        if dep.relationship_code:
            w.add("INS", "N", dep.relationship_code)
        w.rejections(a.rejections, "2100D")
        if not rejected:
            w.plan_dates(a)
            for b in a.benefits:
                w.benefit(b)
    return w.body


def build_271(answers: Answer271 | Sequence[Answer271], **options: Unpack[WriteOptions]) -> str:
    """The complete 271 interchange; by default addressed back to the 270's sender."""
    batch = [answers] if isinstance(answers, Answer271) else list(answers)
    if not batch:
        raise X12BuildError("a 271 answers at least one inquiry")
    body = build_271_body(batch, options.get("delimiters", DEFAULT_DELIMITERS), options.get("now"))
    options["parties"] = options.get("parties") or batch[0].inquiry.parties.swapped()
    return write_transaction(T271, [body], **options)
