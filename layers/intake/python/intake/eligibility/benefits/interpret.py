"""Turn a parsed 271 into one ``BenefitsSummary`` per patient.

Choosing which EB line answers "what is the in-network individual deductible for home
infusion?" follows one precedence, most specific first:

1. lines for one of the asked service types other than 30 and the narrow DME types 12/18
   (a pump's cost share never stands in for the plan's), with the asked network (EB12 Y/N);
2. the same service types, network not stated (EB12 absent, W not applicable or U unknown):
   such a line applies in and out of network alike;
3. then the same two steps for plan-level lines (EB03 = 30, or no EB03 at all), those a MSG
   narrows last.

Only medical lines answer: a dental, vision or pharmacy line (by its service types or plan
description, ``codes.domain_of``) stays in ``benefits`` and in its own coverage summary but
never gives the home infusion figures. Dates are kept apart as the guide defines them: the plan
year comes from DTP 291 or 346/347 only, never from eligibility (356/357) or policy (539)
dates, and a line's own 2110 DTPs stay on the line.

Lines are read per coverage (EB04), each line by its own EB04 only: X279 repeats loop 2110 per
EB segment and nothing lets EB04 carry to the next line, so a line without one belongs to no
coverage in particular. A Medicare 271 holds a Part A and a Part B coverage. Home infusion
is billed to Part B, so a Medicare summary is Part B's; a Part A deductible never completes
a Part B one. A plan amount and its remainder come from the same service types of the same
coverage (the first, in the order above, that reports either); lifetime amounts (EB06 32/33)
are never plan-year ones, per-day or per-admission copays (EB06 7, 13, 36) are not per-visit
copays (``parts`` charges a per-day copay per day), and only visit quantities (EB09 VS) are
visit limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal

from intake.core.names import comparable_name
from intake.eligibility.benefits.codes import (
    ACTIVE_CODES,
    DATE_QUALIFIERS,
    ELIGIBILITY,
    ELIGIBILITY_BEGIN,
    ELIGIBILITY_CODES,
    ELIGIBILITY_END,
    FAMILY_LEVELS,
    FOLLOW_UP_ACTIONS,
    INACTIVE_CODES,
    INDIVIDUAL_LEVELS,
    INSURANCE_TYPES,
    MEDICAL,
    MEDICARE_PART_B,
    MET_PERIODS,
    NOT_A_TOTAL,
    OTHER_PAYER,
    PER_UNIT_PERIODS,
    PLAN_BEGIN,
    PLAN_END,
    PLAN_RANGE,
    POLICY_EFFECTIVE,
    POLICY_EXPIRATION,
    REJECT_REASONS,
    REMAINING_PERIODS,
    TIME_PERIODS,
    VISIT_QUANTITY,
    describe,
    domain_of,
)
from intake.models.benefits import (
    Accumulator,
    Accumulators,
    BenefitLine,
    BenefitsSummary,
    ByLevel,
    ByNetwork,
    CostShare,
    CoverageStatus,
    CoverageSummary,
    DatedQualifier,
    ExpectedPatient,
    Party,
    PersonEcho,
    Plan,
    Rejection,
    RelatedEntity,
    VisitLimit,
)
from intake.x12.segments import Segment
from intake.x12.t270.inquiry import HOME_INFUSION_SERVICE_TYPES
from intake.x12.t271.loops import Benefit, MemberLoop, PartyLoop, Read271
from intake.x12.t271.loops import Rejection as RawRejection
from intake.x12.t271.parse import parse_271
from intake.x12.values import Entity, date_period

_TRI = {"Y": True, "N": False}
"""EB11/EB12: Y and N are answers; U (unknown) and W (not applicable) are not."""

PLAN_LEVEL = "30"
NARROW_SERVICE_TYPES = frozenset({"12", "18"})
"""DME purchase/rental: a pump or a breast pump's cost share, never the plan's or the drug's
(Medicare Part B's DME benefit is read per part in ``parts``)."""


def _tri(code: str) -> bool | None:
    return _TRI.get(code)


def _none(value: str) -> str | None:
    return value or None


def _coverage_keys(benefits: Sequence[Benefit]) -> list[str | None]:
    """Each line's coverage: its own EB04 only. X279 repeats loop 2110 once per EB segment and
    no note lets EB04 carry from one iteration to the next, so a line without EB04 belongs to
    no coverage in particular (it is read with whichever one home infusion is billed to)."""
    return [b.insurance_type or None for b in benefits]


def _dates(segments: Iterable[Segment], loop: str) -> tuple[DatedQualifier, ...]:
    out = []
    for dtp in segments:
        q = dtp.element(1)
        begin, end = date_period(dtp, 2, 3)
        out.append(
            DatedQualifier(
                qualifier=q,
                name=describe(DATE_QUALIFIERS, q),
                begin=begin,
                end=end,
                loop=loop,
            )
        )
    return tuple(out)


def _line(b: Benefit, coverage: str | None = None, loop: str = "2110C") -> BenefitLine:
    eb = b.eb
    return BenefitLine(
        code=b.code,
        description=describe(ELIGIBILITY_CODES, b.code),
        coverage_level=_none(b.coverage_level),
        service_types=b.service_types,
        insurance_type=_none(b.insurance_type),
        plan_description=_none(b.plan_description),
        time_period=_none(b.time_period),
        amount=b.amount,
        percent=b.percent,
        quantity_qualifier=_none(b.quantity_qualifier),
        quantity=b.quantity,
        auth_required=_tri(b.authorization),
        in_network=_tri(b.in_plan_network),
        messages=tuple(b.messages),
        related_entities=tuple(
            RelatedEntity(
                entity_code=r.entity.entity_code,
                name=r.entity.display_name,
                id_qualifier=_none(r.entity.id_qualifier),
                id=_none(r.entity.id),
                contact=next((p.element(4) for p in r.segments if p.id == "PER"), None),
            )
            for r in b.related_entities
        )
        if b.related_entities
        else (),
        procedure=":".join(b.procedure) or None,
        coverage=coverage,
        domain=domain_of(b.service_types, b.plan_description),
        dates=_dates(b.dates, loop) if b.dates else (),
        segment="*".join((eb.id, *eb.elements)),
    )


def _rejection(r: RawRejection) -> Rejection:
    return Rejection(
        code=r.code,
        follow_up=_none(r.follow_up),
        loop=r.loop,
        description=describe(REJECT_REASONS, r.code),
        follow_up_description=describe(FOLLOW_UP_ACTIONS, r.follow_up),
        valid_request=r.valid_request,
    )


def _party(p: PartyLoop | None) -> Party:
    if p is None or p.entity is None:
        return Party()
    return Party(name=_none(p.entity.display_name), id=_none(p.entity.id))


def _person(m: MemberLoop | None) -> PersonEcho:
    if m is None:
        return PersonEcho()
    e: Entity | None = m.entity
    return PersonEcho(
        member_id=_none(m.member_id),
        first_name=_none(e.first_name) if e else None,
        last_name=_none(e.last_or_org_name) if e else None,
        dob=m.dob,
        sex=_none(m.sex),
    )


class _Ranked:
    """The lines that may answer for the asked service types, in precedence order."""

    def __init__(self, lines: Sequence[BenefitLine], asked: Sequence[str]) -> None:
        specific = set(asked) - {PLAN_LEVEL} - NARROW_SERVICE_TYPES
        self.specific = [b for b in lines if specific.intersection(b.service_types)]
        generic = [b for b in lines if not b.service_types or PLAN_LEVEL in b.service_types]
        # a plan-level line a MSG narrows ("breast pump", "urgent care") comes after the others
        self.generic = sorted(generic, key=lambda b: bool(b.messages))
        taken = {id(b) for b in self.specific}
        self.applicable = [*self.specific, *(b for b in self.generic if id(b) not in taken)]
        self._tiers: dict[str, tuple[list[BenefitLine], list[BenefitLine]]] = {}
        for index, tier in enumerate((self.specific, self.generic)):
            for b in tier:
                self._tiers.setdefault(b.code, ([], []))[index].append(b)

    def ordered(self, code: str, in_network: bool) -> list[BenefitLine]:
        out: list[BenefitLine] = []
        for matching in self._tiers.get(code, ([], [])):
            out.extend(b for b in matching if b.in_network is in_network)
            out.extend(b for b in matching if b.in_network is None)
        return out


def _first(
    lines: Iterable[BenefitLine],
    keep: Callable[[BenefitLine], bool],
    value: Callable[[BenefitLine], Decimal | None],
) -> Decimal | None:
    for b in lines:
        v = value(b)
        if v is not None and keep(b):
            return v
    return None


def _is_total(b: BenefitLine) -> bool:
    return (b.time_period or "") not in NOT_A_TOTAL


def _is_remaining(b: BenefitLine) -> bool:
    return b.time_period in REMAINING_PERIODS


def _accumulator(lines: list[BenefitLine]) -> Accumulator:
    """Plan amount, remaining and met from one group of lines: the same coverage, service types
    and network as the first line (in precedence order) giving a plan amount or a remainder."""

    def amount(b: BenefitLine) -> Decimal | None:
        return b.amount

    lead = next(
        (b for b in lines if b.amount is not None and (_is_total(b) or _is_remaining(b))), None
    )
    if lead is None:
        return Accumulator()
    group = [
        b
        for b in lines
        if (b.coverage, b.service_types, b.in_network)
        == (lead.coverage, lead.service_types, lead.in_network)
    ]
    total_line = next((b for b in group if b.amount is not None and _is_total(b)), None)
    return Accumulator(
        total=None if total_line is None else total_line.amount,
        remaining=_first(group, _is_remaining, amount),
        met=_first(group, lambda b: b.time_period in MET_PERIODS, amount),
        period=None if total_line is None else total_line.time_period,
    )


def _by_network(ranked: _Ranked, code: str) -> ByNetwork:
    def level(in_network: bool) -> ByLevel:
        lines = ranked.ordered(code, in_network)
        individual = [
            b for b in lines if b.coverage_level is None or b.coverage_level in INDIVIDUAL_LEVELS
        ]
        family = [b for b in lines if b.coverage_level in FAMILY_LEVELS]
        return ByLevel(individual=_accumulator(individual), family=_accumulator(family))

    return ByNetwork(in_network=level(True), out_of_network=level(False))


def is_medical(b: BenefitLine) -> bool:
    """A line of the medical benefit (or of the plan as a whole): not a dental, vision or
    pharmacy line, which never answer for a home infusion's medical claim."""
    return b.domain is None or b.domain == MEDICAL


def per_visit(b: BenefitLine) -> bool:
    """A cost share that applies to a visit (not per day, hour or admission)."""
    return (b.time_period or "") not in PER_UNIT_PERIODS


def _cost_share(
    ranked: _Ranked, code: str, value: Callable[[BenefitLine], Decimal | None]
) -> CostShare:
    return CostShare(
        in_network=_first(ranked.ordered(code, True), per_visit, value),
        out_of_network=_first(ranked.ordered(code, False), per_visit, value),
    )


def _auth_required(lines: Sequence[BenefitLine]) -> bool | None:
    answers = {b.auth_required for b in lines} - {None}
    if True in answers:
        return True
    return False if answers else None


def _hsd_limits(lines: Sequence[BenefitLine], raw: Sequence[Benefit]) -> list[VisitLimit]:
    """Visit limits a 2110 HSD states (HSD01 VS visits, HSD02 how many, HSD05 per what period:
    e.g. ``HSD*VS*30***22`` = 30 visits per service year)."""
    out = []
    for line, b in zip(lines, raw, strict=True):
        if not is_medical(line):
            continue
        for hsd in b.delivery:
            if hsd.element(1) != VISIT_QUANTITY or not hsd.element(2):
                continue
            period = hsd.element(5) or None
            out.append(
                VisitLimit(
                    code=line.code,
                    service_types=line.service_types,
                    quantity_qualifier=VISIT_QUANTITY,
                    quantity=Decimal(hsd.element(2)),
                    time_period=period,
                    time_period_description=describe(TIME_PERIODS, period or ""),
                    coverage_level=line.coverage_level,
                    in_network=line.in_network,
                )
            )
    return out


def _visit_limits(lines: Sequence[BenefitLine]) -> tuple[VisitLimit, ...]:
    return tuple(
        VisitLimit(
            code=b.code,
            service_types=b.service_types,
            quantity_qualifier=b.quantity_qualifier,
            quantity=b.quantity,
            time_period=b.time_period,
            time_period_description=describe(TIME_PERIODS, b.time_period or ""),
            coverage_level=b.coverage_level,
            in_network=b.in_network,
        )
        for b in lines
        if b.quantity is not None and b.quantity_qualifier == VISIT_QUANTITY
    )


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


_normal = comparable_name


def _mismatches(expected: ExpectedPatient | None, echo: PersonEcho) -> tuple[str, ...] | None:
    if expected is None or (echo.first_name is None and echo.last_name is None):
        return None
    out = []
    if echo.first_name is not None and _normal(echo.first_name) != _normal(expected.first_name):
        out.append("first_name")
    if echo.last_name is not None and _normal(echo.last_name) != _normal(expected.last_name):
        out.append("last_name")
    if expected.dob is not None and echo.dob is not None and echo.dob != expected.dob:
        out.append("dob")
    return tuple(out)


def _plan_year(dates: Sequence[DatedQualifier]) -> tuple[date | None, date | None, str | None]:
    """The plan year from DTP 291 Plan (a range) or 346/347 Plan Begin/End, and where it came
    from; eligibility (356/357/307) and policy (539/540) dates are never the plan year."""
    for d in dates:
        if d.qualifier == PLAN_RANGE and d.end is not None:
            return d.begin, d.end, f"{d.loop} DTP*{PLAN_RANGE}"
    begin = next((d for d in dates if d.qualifier == PLAN_BEGIN), None)
    end = next((d for d in dates if d.qualifier == PLAN_END), None)
    if begin is not None and begin.end is not None and end is None:  # 346 sent as an RD8 range
        return begin.begin, begin.end, f"{begin.loop} DTP*{PLAN_BEGIN}"
    if begin is None and end is None:
        plan = next((d for d in dates if d.qualifier == PLAN_RANGE), None)
        if plan is not None:  # a single D8 plan date: the plan's begin
            return plan.begin, None, f"{plan.loop} DTP*{PLAN_RANGE}"
        return None, None, None
    parts = "/".join(f"DTP*{d.qualifier}" for d in (begin, end) if d is not None)
    loop = next(d.loop for d in (begin, end) if d is not None)
    return (
        begin.begin if begin else None,
        end.begin if end else None,
        f"{loop} {parts}",
    )


def _first_date(dates: Sequence[DatedQualifier], qualifier: str) -> DatedQualifier | None:
    return next((d for d in dates if d.qualifier == qualifier), None)


def _status(
    lines: Sequence[BenefitLine], rejected: bool, patient_rejected: bool = False
) -> tuple[CoverageStatus, str | None]:
    """Active or inactive as the EB01 status lines say; a patient loop the payer rejected (2100C
    or 2100D AAA) is rejected whatever lines follow it, never "active"."""
    if patient_rejected:
        return CoverageStatus.REJECTED, None
    for codes, status in (
        (ACTIVE_CODES, CoverageStatus.ACTIVE),
        (INACTIVE_CODES, CoverageStatus.INACTIVE),
    ):
        found = next((b for b in lines if b.code in codes), None)
        if found is not None:
            return status, found.description
    if rejected:
        return CoverageStatus.REJECTED, None
    return CoverageStatus.UNKNOWN, None


def _plan(
    lines: Sequence[BenefitLine], members: Sequence[MemberLoop], raw: Sequence[Benefit]
) -> Plan:
    """Plan facts. Dates come from the patient's 2100 DTPs (the subscriber's for the plan year
    when the dependent's loop has none), then from 2110 DTPs under a status line (291/346 for
    the plan year, 307/356/357 for the member's eligibility)."""
    status_lines = [b for b in lines if b.code in ACTIVE_CODES | INACTIVE_CODES]
    ordered = [*status_lines, *lines]
    insurance_type = next((b.insurance_type for b in ordered if b.insurance_type), None)
    group = next((m.reference("6P") for m in members if m.reference("6P")), None)
    own = _dates(members[0].dates, f"2100{members[0].loop}") if members else ()
    begin, end, where = _plan_year(own)
    if where is None:
        for m in members[1:]:
            begin, end, where = _plan_year(_dates(m.dates, f"2100{m.loop}"))
    if where is None:
        status_dates = [d for b in status_lines for d in b.dates if d.qualifier in ("291", "346")]
        begin, end, where = _plan_year(status_dates)
    on_status = [*own, *(d for b in status_lines for d in b.dates)]
    eligibility = _first_date(on_status, ELIGIBILITY)
    eligibility_begin = _first_date(on_status, ELIGIBILITY_BEGIN)
    eligibility_end = _first_date(on_status, ELIGIBILITY_END)
    policy = _first_date(own, POLICY_EFFECTIVE)
    expiration = _first_date(own, POLICY_EXPIRATION)
    return Plan(
        description=next((b.plan_description for b in ordered if b.plan_description), None),
        group_number=group,
        insurance_type=insurance_type,
        insurance_type_description=describe(INSURANCE_TYPES, insurance_type or ""),
        begin=begin,
        end=end,
        dates_from=where,
        eligibility_begin=eligibility_begin.begin if eligibility_begin else None,
        eligibility_end=eligibility_end.begin if eligibility_end else None,
        eligibility_date=eligibility.begin if eligibility else None,
        policy_effective=policy.begin if policy else None,
        policy_expiration=expiration.begin if expiration else None,
        dates=own,
    )


def _infusion_coverage(lines: Sequence[BenefitLine]) -> str | None:
    """The coverage home infusion is billed to: Medicare Part B when present (Part A pays home
    health episodes, not infusion drugs), else the coverage whose status is active."""
    medical = [b for b in lines if b.code != OTHER_PAYER and is_medical(b)]
    keys = [b.coverage for b in medical if b.coverage]
    if not keys:
        return None
    if MEDICARE_PART_B in keys:
        return MEDICARE_PART_B
    active = next(
        (b.coverage for b in medical if b.coverage and b.code in ACTIVE_CODES),
        None,
    )
    return active or keys[0]


def _coverages(
    lines: Sequence[BenefitLine],
    asked: Sequence[str],
    infusion: str | None,
    used: tuple[list[BenefitLine], Accumulators, CostShare, CostShare],
) -> tuple[CoverageSummary, ...]:
    """Each coverage's own figures; the one home infusion is billed to gives the figures already
    summarized (``used``: its lines and those stating no EB04), not read twice. Lines stating no
    EB04 are a coverage of their own only when no line states one."""
    used_lines, used_accumulators, used_coinsurance, used_copay = used
    out: list[CoverageSummary] = []
    keys = dict.fromkeys(b.coverage for b in lines if b.code != OTHER_PAYER)
    if len(keys) > 1:
        keys.pop(None, None)
    for key in keys:
        own = [b for b in lines if b.coverage == key and b.code != OTHER_PAYER]
        if key == infusion or own == used_lines:
            accumulators, coinsurance, copay = used_accumulators, used_coinsurance, used_copay
        else:
            ranked = _Ranked(own, asked)
            accumulators = Accumulators(
                deductible=_by_network(ranked, "C"), out_of_pocket=_by_network(ranked, "G")
            )
            coinsurance = _cost_share(ranked, "A", lambda b: b.percent)
            copay = _cost_share(ranked, "B", lambda b: b.amount)
        status, _ = _status(own, False)
        out.append(
            CoverageSummary(
                insurance_type=key,
                description=describe(INSURANCE_TYPES, key or ""),
                status=None if status is CoverageStatus.UNKNOWN else status,
                plan_description=next(
                    (b.plan_description for b in own if b.plan_description), None
                ),
                deductible=accumulators.deductible,
                out_of_pocket=accumulators.out_of_pocket,
                coinsurance=coinsurance,
                copay=copay,
                lines=len(own),
                used_for_infusion=key == infusion or (infusion is None and key is None),
            )
        )
    return tuple(out)


def _summarize(
    source: PartyLoop,
    receiver: PartyLoop | None,
    subscriber: MemberLoop | None,
    dependent: MemberLoop | None,
    *,
    expected: ExpectedPatient | None,
    asked: Sequence[str],
    warnings: Sequence[str],
) -> BenefitsSummary:
    patient = dependent or subscriber
    raw_benefits = patient.benefits if patient else []
    loop = "2110D" if dependent is not None else "2110C"
    lines = [
        _line(b, key, loop)
        for b, key in zip(raw_benefits, _coverage_keys(raw_benefits), strict=True)
    ]
    infusion = _infusion_coverage(lines)
    used = [
        b
        for b in lines
        if b.code != OTHER_PAYER and b.coverage in (infusion, None) and is_medical(b)
    ]
    raw_rejections: list[RawRejection] = [*source.rejections]
    if receiver is not None:
        raw_rejections.extend(receiver.rejections)
    if subscriber is not None:
        raw_rejections.extend(subscriber.rejections)
    if dependent is not None:
        raw_rejections.extend(dependent.rejections)
    loop_rejected = bool(raw_rejections)
    patient_rejected = bool(patient.rejections) if patient else False
    for b in raw_benefits:
        raw_rejections.extend(b.rejections)
    ranked = _Ranked(used, asked)
    members = [m for m in (dependent, subscriber) if m is not None]
    status, detail = _status(lines, loop_rejected, patient_rejected)
    patient_echo = _person(patient)
    status_line = next((b for b in lines if b.code in ACTIVE_CODES | INACTIVE_CODES), None)
    accumulators = Accumulators(
        deductible=_by_network(ranked, "C"), out_of_pocket=_by_network(ranked, "G")
    )
    coinsurance = _cost_share(ranked, "A", lambda b: b.percent)
    copay = _cost_share(ranked, "B", lambda b: b.amount)
    return BenefitsSummary(
        status=status,
        status_detail=detail,
        payer=_party(source),
        receiver=_party(receiver),
        plan=_plan(used or lines, members, raw_benefits),
        subscriber=_person(subscriber),
        patient=patient_echo,
        is_dependent=dependent is not None,
        relationship=_none(dependent.relationship) if dependent else None,
        coverage_level=status_line.coverage_level if status_line else None,
        trace_numbers=_unique(t.element(2) for m in members for t in m.trace_numbers),
        benefits=tuple(lines),
        rejections=tuple(_rejection(r) for r in raw_rejections),
        summary=accumulators,
        coinsurance=coinsurance,
        copay=copay,
        auth_required=_auth_required(ranked.applicable),
        visit_limits=(
            *_visit_limits(ranked.applicable),
            *(_hsd_limits(lines, raw_benefits) if any(b.delivery for b in raw_benefits) else ()),
        ),
        messages=_unique(m for b in lines for m in b.messages),
        service_types=tuple(asked),
        mismatches=_mismatches(expected, patient_echo),
        warnings=tuple(warnings),
        coverages=_coverages(lines, asked, infusion, (used, accumulators, coinsurance, copay)),
        infusion_coverage=infusion,
    )


def interpret(
    read: Read271,
    *,
    expected: ExpectedPatient | None = None,
    service_types: Sequence[str] = HOME_INFUSION_SERVICE_TYPES,
) -> list[BenefitsSummary]:
    """One summary per patient in the 271, in document order.

    A subscriber with dependents gets its own summary only when the payer reported on it (EB or
    AAA); a payer or receiver rejected before any subscriber loop still yields one (rejected)
    summary so the caller always learns why.
    """
    out: list[BenefitsSummary] = []
    warnings = read.warnings

    def add(
        src: PartyLoop, rec: PartyLoop | None, sub: MemberLoop | None, dep: MemberLoop | None
    ) -> None:
        out.append(
            _summarize(
                src, rec, sub, dep, expected=expected, asked=service_types, warnings=warnings
            )
        )

    for response in read.responses:
        for source in response.sources:
            if not source.receivers:
                add(source, None, None, None)
            for receiver in source.receivers:
                if not receiver.subscribers:
                    add(source, receiver, None, None)
                for sub in receiver.subscribers:
                    if not sub.dependents or sub.benefits or sub.rejections:
                        add(source, receiver, sub, None)
                    for dep in sub.dependents:
                        add(source, receiver, sub, dep)
    return out


def interpret_271(
    text: str,
    *,
    expected: ExpectedPatient | None = None,
    service_types: Sequence[str] = HOME_INFUSION_SERVICE_TYPES,
    strict: bool = False,
) -> list[BenefitsSummary]:
    """Parse and interpret a 271 interchange (raises an ``X12Error`` on malformed input)."""
    return interpret(parse_271(text, strict=strict), expected=expected, service_types=service_types)
