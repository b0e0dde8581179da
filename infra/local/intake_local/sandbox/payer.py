"""The sandbox payer: answers 270s from a catalog of plans and a member roster (plans.json).

It plays every payer the sandbox clearinghouse routes to, with the unhappy paths a real
integration meets: unknown payer (AAA 79 at 2100A), bad provider id (AAA 43 at 2100B), member id
failing the payer's pattern (AAA 72) or not on file (AAA 75) at 2100C, dependent not on the
policy (AAA 67 at 2100D), a payer briefly down (AAA 42 at 2100A for a member's first N
inquiries) and slow payers (``delay_seconds``, slept by the HTTP server, not here).

It also answers 278 prior-authorization requests (X217) and status inquiries (X215) per the
catalog's ``prior_auth_rules``: certified (A1), partial (A2: some lines A1, others A3),
modified (A6: fewer units and a shorter period on some lines), not certified (A3), cancelled
(C), or pended (A4) and decided on a later status inquiry, after N inquiries or a delay on the
injected clock. An appeal (a 278 request with UM02 ``1``/``2``) is answered by the rule's
``appeal`` sub-rule (certified at once, or pended then decided), or else as the rule itself.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from intake.x12.control_numbers import ControlNumberSource
from intake.x12.envelope import parse_interchange
from intake.x12.errors import X12StructureError
from intake.x12.segments import Segment
from intake.x12.t270.read import InquiredPerson, ParsedInquiry, read_270
from intake.x12.t271.build import (
    Answer271,
    BenefitSpec,
    MemberEcho,
    RejectionSpec,
    build_271,
)
from intake.x12.t278.loops import Transaction278
from intake.x12.t278.parse import parse_278
from intake.x12.t278.response import Answer278, LineAnswer, RejectLoop, build_278_response
from intake.x12.values import date_period

CATALOG_PATH = Path(__file__).with_name("plans.json")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    doc: str = Field(default="", alias="_doc")


class PayerEntry(_Entry):
    name: str
    member_id_pattern: str
    delay_seconds: float = Field(default=0.0, ge=0)
    name_dob_search: bool = Field(
        default=True,
        description="answers a 270 without a member id by last name, first name and date of "
        "birth (005010X279A1 section 1.4.8's Name/Date of Birth Search Option); False: such a "
        "270 gets AAA 72, the missing data element (X12 RFI 1913)",
    )
    mbi_lookup: bool = Field(
        default=False,
        description="the clearinghouse's MBI lookup, not a payer: a demographic 270 gets the "
        "MBI of the one roster member it names (NM109), else AAA 75 (76 for several)",
    )


class PlanEntry(_Entry):
    plan_period: Literal["calendar_year", "fixed"] = "calendar_year"
    plan_begin: date | None = None
    plan_end: date | None = None
    eligibility_begin: date | None = None
    """The member joined mid plan year (2100C DTP 356): the plan year stays the plan's."""
    eligibility_end: date | None = None
    group_number: str = ""
    benefits: tuple[BenefitSpec, ...]
    """EB lines exactly as the 271 writer takes them (``intake.x12.t271.BenefitSpec``)."""


class DependentEntry(_Entry):
    first_name: str
    last_name: str
    dob: date
    sex: str = ""
    relationship: str = Field(description="INS02: 01 spouse, 19 child, G8 other")


class PlanChange(_Entry):
    """From ``from_date`` (the 270's service date) the member is on ``plan`` (a new plan year
    with another plan, or a terminated policy: coverage ending mid-course)."""

    from_date: date
    plan: str


class MemberEntry(_Entry):
    scenario: str
    payer_id: str
    member_id: str
    first_name: str
    last_name: str
    dob: date
    sex: str = ""
    postal_code: str = ""
    """Where the member lives (ZIP), for a demographic search that sends an address."""
    mbi: str = ""
    """An Original Medicare member's MBI (CMS format): found by the MBI lookup, and taken by
    the Medicare payer in place of its member id."""
    plan: str
    dependents: tuple[DependentEntry, ...] = ()
    unavailable_first_n: int = Field(default=0, ge=0)
    delay_seconds: float | None = Field(default=None, ge=0)
    referral_hint: dict[str, str] | None = None
    plan_changes: tuple[PlanChange, ...] = ()

    def plan_on(self, day: date) -> str:
        """The plan in force on ``day`` (the latest change on or before it)."""
        plan = self.plan
        for change in sorted(self.plan_changes, key=lambda c: c.from_date):
            if change.from_date <= day:
                plan = change.plan
        return plan


FinalOutcome = Literal["certified", "denied", "partial", "modified", "cancelled"]
AuthOutcome = Literal["certified", "denied", "partial", "modified", "cancelled", "pended"]
NURSING_CODES = ("99601", "99602")


class ModifiedTerms(_Entry):
    """What an A6 answer changes: ``codes`` lines (empty: the first line, the drug) get
    ``units_fraction`` of the units asked (rounded down) and ``months`` from the start."""

    codes: tuple[str, ...] = ()
    units_fraction: Decimal = Field(default=Decimal("0.5"), gt=0, le=1)
    months: int | None = Field(default=None, ge=1)


class AppealRule(_Entry):
    """How the payer answers an appeal (UM02 1/2) of a request under the enclosing rule."""

    outcome: Literal["certified", "denied", "pended"] = "certified"
    then: FinalOutcome = "certified"
    decide_after_inquiries: int = Field(default=1, ge=1)
    reason_code: str = ""
    messages: tuple[str, ...] = ()


class PriorAuthRule(_Entry):
    """How the payer answers 278s matching ``payer_id`` and, when set, member and HCPCS."""

    payer_id: str
    member_id: str | None = None
    hcpcs: str | None = None
    outcome: AuthOutcome
    then: FinalOutcome = "certified"
    decide_after_inquiries: int = Field(default=1, ge=1)
    decide_after_seconds: float | None = Field(default=None, ge=0)
    reason_code: str = "0C"
    messages: tuple[str, ...] = ()
    """MSG text on a decision (a denial's reason in words, as payers send it)."""
    certified_days: int | None = Field(default=None, ge=1)
    not_certified_codes: tuple[str, ...] = NURSING_CODES
    """Lines answered A3 in a partial (A2) answer; the others are certified."""
    modified: ModifiedTerms = Field(default_factory=ModifiedTerms)
    appeal: AppealRule | None = None
    certified_units: dict[str, int] | None = None
    """Certified (A1) with at most these units per HCPCS (HSD FL on the line): an authorization
    that runs out of units before the course ends."""
    evidence_required: tuple[str, ...] = ()
    """Criteria ids the reviewer needs attached (a PWK whose PWK06 ends ``.<ID>``): a request
    without them is pended (A4) with MSG naming them; a revised request (UM02 S, REF NT the
    review number) that attaches them is decided by the rule."""

    def matches(self, payer_id: str, member_id: str, codes: set[str]) -> bool:
        return (
            self.payer_id == payer_id
            and self.member_id in (None, member_id)
            and (self.hcpcs is None or self.hcpcs in codes)
        )


class ScenarioNote(_Entry):
    scenario: str
    payer_id: str
    member_id: str


class SandboxCatalog(_Entry):
    """plans.json, validated when loaded so a typo fails at start-up, not mid-demo."""

    payers: dict[str, PayerEntry]
    plans: dict[str, PlanEntry]
    members: tuple[MemberEntry, ...]
    scenarios_without_member: tuple[ScenarioNote, ...] = ()
    prior_auth_rules: tuple[PriorAuthRule, ...] = ()

    def model_post_init(self, _context: object) -> None:
        for m in self.members:
            if m.payer_id not in self.payers:
                raise ValueError(f"member {m.scenario}: payer {m.payer_id} is not in payers")
            for plan in (m.plan, *(c.plan for c in m.plan_changes)):
                if plan not in self.plans:
                    raise ValueError(f"member {m.scenario}: plan {plan} is not in plans")
            if not re.fullmatch(self.payers[m.payer_id].member_id_pattern, m.member_id):
                raise ValueError(f"member {m.scenario}: member id fails its payer's pattern")

    @classmethod
    def load(cls, path: Path = CATALOG_PATH) -> SandboxCatalog:
        return cls.model_validate(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True, slots=True)
class SandboxReply:
    """The 271 to send back and how long the server should hold it."""

    x12: str
    delay_seconds: float


@dataclass(frozen=True, slots=True)
class _Decision:
    answer: Answer271
    delay_seconds: float


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one review is decided: the rule, or its appeal sub-rule for an appeal."""

    outcome: AuthOutcome
    then: FinalOutcome
    decide_after_inquiries: int
    decide_after_seconds: float | None
    reason_code: str
    messages: tuple[str, ...]

    @classmethod
    def of(cls, rule: PriorAuthRule | None, appeal: bool) -> _Plan:
        if rule is None:
            return cls("certified", "certified", 1, None, "", ())
        if appeal and rule.appeal is not None:
            a = rule.appeal
            return cls(a.outcome, a.then, a.decide_after_inquiries, None, a.reason_code, a.messages)
        return cls(
            rule.outcome,
            rule.then,
            rule.decide_after_inquiries,
            rule.decide_after_seconds,
            rule.reason_code,
            rule.messages,
        )


@dataclass(slots=True)
class _Review:
    """One 278 request the payer has on file, found again by its review number or trace."""

    number: str
    rule: PriorAuthRule | None
    created: datetime
    start: date | None
    end: date | None
    services: tuple[tuple[str, int | None], ...] = ()
    """(procedure code, units asked) per 2000F line, in order."""
    plan: _Plan = field(default_factory=lambda: _Plan.of(None, False))
    inquiries: int = 0
    final: FinalOutcome | None = None


def _add_months(day: date, months: int) -> date:
    """The day before the same day ``months`` later (a 6-month period from Mar 1 ends Aug 31)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d) - timedelta(days=1)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def _units(raw: str) -> int | None:
    try:
        return int(Decimal(raw)) if raw else None
    except ArithmeticError:
        return None


def _review_number(*parts: str) -> str:
    """Deterministic numbers: the same request always gets the same number."""
    return "SBX" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:9].upper()


def _echo(person: MemberEntry | DependentEntry, member_id: str = "") -> MemberEcho:
    return MemberEcho(person.first_name, person.last_name, person.dob, person.sex, member_id)


def _find_dependent(member: MemberEntry, asked: InquiredPerson) -> DependentEntry | None:
    """Payers match dependents on date of birth first (names are often misspelt)."""
    first = asked.entity.first_name.upper()
    for dep in member.dependents:
        if asked.dob is not None and dep.dob == asked.dob:
            return dep
    if asked.dob is None:
        return next((d for d in member.dependents if d.first_name.upper() == first), None)
    return None


def _subscriber_zips(x12_270: str) -> dict[tuple[str, ...], str]:
    """The ZIP (N403) each subscriber loop of a 270 sends, by the loop's first trace number
    (the 270 reader keeps no address: only the sandbox's demographic search needs it)."""
    out: dict[tuple[str, ...], str] = {}
    trace: tuple[str, ...] = ("",)
    for seg in parse_interchange(x12_270, strict=False).segments():
        if seg.id == "HL":
            trace = ("",)
        elif seg.id == "TRN":
            trace = (seg.element(2),)
        elif seg.id == "N4":
            out.setdefault(trace, seg.element(3))
    return out


class SandboxPayer:
    """Answers 270s per ``SandboxCatalog``. Thread-safe: the HTTP server calls it from many
    threads, and the per-member "unavailable" counters are shared state."""

    def __init__(
        self,
        catalog: SandboxCatalog | None = None,
        *,
        delays: Mapping[str, float] | None = None,
        control_numbers: ControlNumberSource | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.catalog = catalog or SandboxCatalog.load()
        self._delays = dict(delays or {})
        self._control_numbers = control_numbers
        self._clock = clock
        self._members = {(m.payer_id, m.member_id): m for m in self.catalog.members}
        self._mbis = {(m.payer_id, m.mbi): m for m in self.catalog.members if m.mbi}
        self._inquiries: dict[tuple[str, str], int] = {}
        self._reviews: dict[str, _Review] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget how many inquiries each member had (payer-unavailable scenarios restart)."""
        with self._lock:
            self._inquiries.clear()
            self._reviews.clear()

    def respond_270(self, x12_270: str) -> SandboxReply:
        """The 271 for a 270. Raises ``X12Error`` when the 270 itself is malformed (a real
        payer would answer with a 999 rejection, which the clearinghouse layer owns)."""
        inquiries = read_270(x12_270)
        if not inquiries:
            raise X12StructureError("the 270 asks about no subscriber (no HL 22 loop)")
        zips = _subscriber_zips(x12_270)
        decisions = [
            self._decide(q, zips.get(q.subscriber.trace_numbers[:1] or ("",))) for q in inquiries
        ]
        now = self._clock()
        x12 = build_271(
            [d.answer for d in decisions], control_numbers=self._control_numbers, now=now
        )
        return SandboxReply(x12, max(d.delay_seconds for d in decisions))

    def _delay(self, payer_id: str, payer: PayerEntry, member: MemberEntry | None) -> float:
        if payer_id in self._delays:
            return self._delays[payer_id]
        if member is not None and member.delay_seconds is not None:
            return member.delay_seconds
        return payer.delay_seconds

    def _mbi_lookup(
        self, q: ParsedInquiry, postal_code: str, reject: Callable[..., _Decision]
    ) -> _Decision:
        """The MBI of the one Original Medicare member the 270's name, birth date (and gender
        and ZIP, when sent) name, in NM109 of an active 271."""
        matches = [
            m
            for payer_id in {m.payer_id for m in self.catalog.members if m.mbi}
            for m in self._by_demographics(payer_id, q.subscriber, postal_code)
            if m.mbi
        ]
        if len(matches) != 1:
            return reject("2100C", "76" if matches else "75", valid=True)
        found = matches[0]
        benefit = BenefitSpec(code="1", service_types=("30",))
        return _Decision(Answer271(q, benefits=(benefit,), subscriber=_echo(found, found.mbi)), 0.0)

    def _by_demographics(
        self, payer_id: str, asked: InquiredPerson, postal_code: str
    ) -> list[MemberEntry]:
        """The payer's members a demographic 270 names: last name, first name and date of birth
        (the search option's fields) must agree; gender and ZIP, when both sides have them, too
        (sent to narrow the match, 005010X279A1 section 1.4.8)."""

        def agrees(mine: str, theirs: str) -> bool:
            return not mine or not theirs or mine.upper() == theirs.upper()

        return [
            m
            for m in self.catalog.members
            if m.payer_id == payer_id
            and m.last_name.upper() == asked.entity.last_or_org_name.upper()
            and m.first_name.upper() == asked.entity.first_name.upper()
            and m.dob == asked.dob
            and agrees(m.sex, asked.sex)
            and agrees(m.postal_code[:5], postal_code[:5])
        ]

    def _count(self, key: tuple[str, str]) -> int:
        with self._lock:
            seen = self._inquiries.get(key, 0)
            self._inquiries[key] = seen + 1
            return seen

    def _decide(self, q: ParsedInquiry, postal_code: str | None = None) -> _Decision:
        def reject(
            loop: Literal["2100A", "2100B", "2100C", "2100D"],
            code: str,
            follow_up: str = "C",
            *,
            valid: bool = False,
            echo: MemberEcho | None = None,
            delay: float = 0.0,
        ) -> _Decision:
            spec = RejectionSpec(loop, code, follow_up, valid)
            return _Decision(Answer271(q, rejections=(spec,), subscriber=echo), delay)

        payer_id = q.payer.id
        payer = self.catalog.payers.get(payer_id)
        if payer is None:
            return reject("2100A", "79")
        if q.provider.id_qualifier != "XX" or not re.fullmatch(r"\d{10}", q.provider.id):
            return reject("2100B", "43", delay=self._delay(payer_id, payer, None))
        member_id = q.subscriber.member_id
        if payer.mbi_lookup:
            return self._mbi_lookup(q, postal_code or "", reject)
        asked_by_mbi = self._mbis.get((payer_id, member_id))
        if asked_by_mbi is not None:
            member_id = asked_by_mbi.member_id
        if not member_id and payer.name_dob_search:
            matches = self._by_demographics(payer_id, q.subscriber, postal_code or "")
            if len(matches) > 1:
                return reject("2100C", "76", valid=True, delay=self._delay(payer_id, payer, None))
            if not matches:
                return reject("2100C", "75", valid=True, delay=self._delay(payer_id, payer, None))
            member_id = matches[0].member_id
        if not re.fullmatch(payer.member_id_pattern, member_id):
            return reject("2100C", "72", delay=self._delay(payer_id, payer, None))
        member = self._members.get((payer_id, member_id))
        if member is None:
            return reject("2100C", "75", valid=True, delay=self._delay(payer_id, payer, None))
        delay = self._delay(payer_id, payer, member)
        if self._count((payer_id, member_id)) < member.unavailable_first_n:
            return reject("2100A", "42", "R", valid=True, delay=delay)
        echo = _echo(member, asked_by_mbi.mbi if asked_by_mbi else member.member_id)
        dependent_echo: MemberEcho | None = None
        if q.dependent is not None:
            dep = _find_dependent(member, q.dependent)
            if dep is None:
                return reject("2100D", "67", valid=True, echo=echo, delay=delay)
            dependent_echo = _echo(dep)
        service_day = q.patient.service_date or self._clock().date()
        plan = self.catalog.plans[member.plan_on(service_day)]
        if plan.plan_period == "calendar_year":
            begin, end = date(service_day.year, 1, 1), date(service_day.year, 12, 31)
        else:
            begin, end = plan.plan_begin or service_day, plan.plan_end or service_day
        extra = tuple(
            (qualifier, when)
            for qualifier, when in (("356", plan.eligibility_begin), ("357", plan.eligibility_end))
            if when is not None
        )
        answer = Answer271(
            q,
            benefits=plan.benefits,
            subscriber=echo,
            dependent=dependent_echo,
            group_number=plan.group_number,
            plan_begin=begin,
            plan_end=end,
            extra_dates=extra,
        )
        return _Decision(answer, delay)

    # ------------------------------------------------------------------ 278 prior auth

    def respond_278(self, x12_278: str) -> SandboxReply:
        """The 278 response to a request (X217) or a status inquiry (X215). Raises
        ``X12Error`` when the 278 itself is malformed."""
        read = parse_278(x12_278, strict=True)
        if not read.transactions:
            raise X12StructureError("the 278 holds no transaction")
        tx = read.transactions[0]
        answer, delay = self._answer_278(tx)
        x12 = build_278_response(
            read, answer, control_numbers=self._control_numbers, now=self._clock()
        )
        return SandboxReply(x12, delay)

    def _answer_278(self, tx: Transaction278) -> tuple[Answer278, float]:
        def reject(loop: RejectLoop, code: str, delay: float = 0.0) -> tuple[Answer278, float]:
            return Answer278(reject_loop=loop, reject_code=code), delay

        payer_id = tx.umo.entity.id if tx.umo.entity else ""
        payer = self.catalog.payers.get(payer_id)
        if payer is None:
            return reject("2000A", "79")
        delay = self._delay(payer_id, payer, None)
        requester = tx.requester.entity if tx.requester else None
        if (
            requester is None
            or requester.id_qualifier != "XX"
            or not re.fullmatch(r"\d{10}", requester.id)
        ):
            return reject("2000B", "43", delay)
        member_id = tx.subscriber.entity.id if tx.subscriber and tx.subscriber.entity else ""
        if not re.fullmatch(payer.member_id_pattern, member_id):
            return reject("2000C", "72", delay)
        member = self._members.get((payer_id, member_id))
        if member is None:
            return reject("2000C", "75", delay)
        delay = self._delay(payer_id, payer, member)
        if not tx.events:
            return reject("2000E", "15", delay)
        event = tx.events[0]
        trn = event.trace("1")
        trace = trn.element(2) if trn is not None else ""
        if tx.is_inquiry:
            with self._lock:
                review = self._reviews.get(event.reference("NT")) or self._reviews.get(
                    _review_number(payer_id, member_id, trace)
                )
                if review is None:
                    return reject("2000E", "15", delay)
                return self._status(review), delay
        services = tuple(
            (s.service.component(1, 2), _units(s.service.element(4)))
            for s in event.services
            if s.service is not None
        )
        codes = {code for code, _ in services}
        rule = next(
            (r for r in self.catalog.prior_auth_rules if r.matches(payer_id, member_id, codes)),
            None,
        )
        appeal = event.um is not None and event.um.element(2) in ("1", "2")
        missing = self._missing_evidence(rule, event.paperwork)
        if event.um is not None and event.um.element(2) == "S":
            with self._lock:
                revised = self._reviews.get(event.reference("NT"))
            if revised is None:
                return reject("2000E", "15", delay)
            if missing:
                return self._ask_for(revised.number, missing), delay
            rule = revised.rule
        elif missing:
            aah = next((d for d in event.dates if d.element(1) == "AAH"), None)
            start, end = date_period(aah, 2, 3) if aah is not None else (None, None)
            pended = _Review(
                _review_number(payer_id, member_id, trace), rule, self._clock(), start, end
            )
            with self._lock:
                self._reviews[pended.number] = pended
            return self._ask_for(pended.number, missing), delay
        aah = next((d for d in event.dates if d.element(1) == "AAH"), None)
        start, end = date_period(aah, 2, 3) if aah is not None else (None, None)
        review = _Review(
            _review_number(payer_id, member_id, trace),
            rule,
            self._clock(),
            start,
            end,
            services,
            _Plan.of(rule, appeal),
        )
        if review.plan.outcome != "pended":
            review.final = review.plan.outcome
        with self._lock:
            self._reviews[review.number] = review
        return self._final(review) if review.final else Answer278("A4", review.number), delay

    @staticmethod
    def _missing_evidence(rule: PriorAuthRule | None, paperwork: list[Segment]) -> list[str]:
        if rule is None or not rule.evidence_required:
            return []
        sent = {
            p.element(6).rsplit(".", 1)[-1].lower().replace("-", "_")
            for p in paperwork
            if "." in p.element(6)
        }
        return [i for i in rule.evidence_required if i not in sent]

    @staticmethod
    def _ask_for(number: str, missing: list[str]) -> Answer278:
        """Pended for additional information (HCR A4), the items named in MSG."""
        return Answer278(
            "A4",
            number,
            messages=(
                "ADDITIONAL INFORMATION REQUIRED " + " ".join(m.replace("_", "-") for m in missing),
            ),
        )

    def _status(self, review: _Review) -> Answer278:
        """Called with the lock held: count the inquiry, decide when the rule says so."""
        review.inquiries += 1
        plan = review.plan
        if review.final is None:
            waited = (self._clock() - review.created).total_seconds()
            if review.inquiries >= plan.decide_after_inquiries or (
                plan.decide_after_seconds is not None and waited >= plan.decide_after_seconds
            ):
                review.final = plan.then
        return self._final(review) if review.final else Answer278("A4", review.number)

    def _final(self, review: _Review) -> Answer278:
        rule, plan = review.rule, review.plan
        if review.final == "denied":
            return Answer278("A3", review.number, plan.reason_code, messages=plan.messages)
        if review.final == "cancelled":
            return Answer278("C", review.number, plan.reason_code or "07", messages=plan.messages)
        start = review.start or self._clock().date()
        end = review.end
        if rule is not None and rule.certified_days is not None:
            end = start + timedelta(days=rule.certified_days - 1)
        number = "C" + review.number
        if review.final == "partial" and rule is not None:
            lines = tuple(
                LineAnswer("A3", review.number, plan.reason_code)
                if code in rule.not_certified_codes
                else LineAnswer("A1", number, effective_from=start, effective_to=end)
                for code, _ in review.services
            )
            return Answer278("A2", number, effective_from=start, effective_to=end, lines=lines)
        if review.final == "modified" and rule is not None:
            return self._modified(review, rule.modified, number, start, end)
        if rule is not None and rule.certified_units:
            limits = rule.certified_units
            lines = tuple(
                LineAnswer(
                    "A1",
                    number,
                    approved_units=min(units, limits[code])
                    if units is not None and code in limits
                    else units,
                    effective_from=start,
                    effective_to=end,
                )
                for code, units in review.services
            )
            return Answer278("A1", number, effective_from=start, effective_to=end, lines=lines)
        return Answer278("A1", number, effective_from=start, effective_to=end)

    @staticmethod
    def _modified(
        review: _Review, terms: ModifiedTerms, number: str, start: date, end: date | None
    ) -> Answer278:
        short_end = _add_months(start, terms.months) if terms.months else end
        if end is not None and short_end is not None:
            short_end = min(short_end, end)
        first = {review.services[0][0]} if review.services else set()
        changed = set(terms.codes) or first
        lines = []
        for code, units in review.services:
            if code not in changed:
                lines.append(LineAnswer("A1", number, effective_from=start, effective_to=end))
                continue
            approved = None if units is None else int(units * terms.units_fraction)
            lines.append(LineAnswer("A6", number, "04", approved, start, short_end))
        return Answer278(
            "A6", number, effective_from=start, effective_to=short_end, lines=tuple(lines)
        )
