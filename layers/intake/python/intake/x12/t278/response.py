"""Build a 278 response answering a parsed 278 request or status inquiry (sandbox, tests).

The reply echoes the request's BHT reference, parties and our trace (TRN*2) so the requester
can match it, then gives the decision: HCR with the certification number and DTP*AAH period
(A1), the reason (A3) or the review number to ask about later (A4); or an AAA rejection at the
loop at fault, which ends the response there as the TR3 requires.

Per service line (``Answer278.lines``, in request order): each 2000F gets its own HCR, and an
approving line its certification effective/expiration dates (DTP*007/036) and the approved
units (HSD*FL) when they differ from the request, as A2/A6 answers do. Without line answers
every line repeats the event's action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Unpack

from intake.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from intake.x12.envelope import EnvelopeParties
from intake.x12.errors import X12BuildError
from intake.x12.segments import Segment
from intake.x12.t278.build import d8, period
from intake.x12.t278.grammar import T278
from intake.x12.t278.loops import EventLoop, MemberLoop278, Read278, Transaction278
from intake.x12.writer import SegmentWriter, WriteOptions, write_transaction

RejectLoop = Literal["2000A", "2000B", "2000C", "2000E"]
MSG_MAX = 264


@dataclass(frozen=True, slots=True)
class LineAnswer:
    """The UMO's answer for one service line: action, number, reason, and what was approved."""

    action: str
    number: str = ""
    reason_code: str = ""
    approved_units: int | None = None
    effective_from: date | None = None
    effective_to: date | None = None


@dataclass(frozen=True, slots=True)
class Answer278:
    """The UMO's answer: an HCR action (for the event, and/or per line), or an AAA rejection
    at ``reject_loop``. With ``lines`` and no ``action`` only the lines carry an HCR."""

    action: str = ""
    number: str = ""
    """HCR02: the certification number (A1) or review number (A3/A4)."""
    reason_code: str = ""
    effective_from: date | None = None
    effective_to: date | None = None
    reject_loop: RejectLoop | None = None
    reject_code: str = ""
    follow_up: str = "C"
    messages: tuple[str, ...] = ()
    lines: tuple[LineAnswer, ...] = ()

    def __post_init__(self) -> None:
        if bool(self.action or self.lines) == bool(self.reject_loop):
            raise X12BuildError("a 278 answer is either an HCR action or an AAA rejection")

    def for_line(self, n: int) -> LineAnswer:
        """Line ``n``'s answer: its own, else the event's action repeated."""
        if n < len(self.lines):
            return self.lines[n]
        return LineAnswer(self.action, self.number, self.reason_code)


class _Writer(SegmentWriter):
    def reject(self, answer: Answer278, loop: str) -> bool:
        if answer.reject_loop != loop:
            return False
        self.aaa(answer.reject_code in ("42",), answer.reject_code, answer.follow_up)
        return True

    def member(self, m: MemberLoop278, code: str) -> None:
        self.nm1(code, m.entity)
        if m.dob is not None:
            self.add("DMG", "D8", d8(m.dob), m.sex or None)
        if m.relationship:
            self.add("INS", "N", m.relationship)

    def decision(self, answer: Answer278, event: EventLoop) -> None:
        if answer.action:
            self.add("HCR", answer.action, answer.number or None, answer.reason_code or None)
        if answer.action in _APPROVING and answer.effective_from is not None:
            self.add("DTP", "AAH", *period(answer.effective_from, answer.effective_to))
        for code in event.diagnoses[:1]:
            self.add("HI", code)
        for text in answer.messages:
            message = self.text(text, MSG_MAX)
            if message:
                self.add("MSG", message)

    def line(self, line: LineAnswer, service: Segment | None) -> None:
        self.add("HCR", line.action, line.number or None, line.reason_code or None)
        if line.action in _APPROVING and line.effective_from is not None:
            self.add("DTP", "007", "D8", d8(line.effective_from))
            if line.effective_to is not None:
                self.add("DTP", "036", "D8", d8(line.effective_to))
        if service is not None:
            self.copy(service)
        if line.approved_units is not None:
            self.add("HSD", "FL", str(line.approved_units))


_APPROVING = frozenset({"A1", "A2", "A6"})


def _event_header(w: _Writer, event: EventLoop) -> None:
    ours = event.trace("1")
    if ours is not None:
        w.add("TRN", "2", ours.element(2), ours.element(3))
    if event.um is not None:
        w.copy(event.um)


def build_278_response_body(
    tx: Transaction278,
    answer: Answer278,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    now: datetime | None = None,
) -> list[Segment]:
    """The segments between ST and SE answering one request transaction."""
    stamp = now or datetime.now()
    w = _Writer(delimiters)
    reference = tx.bht.element(3) if tx.bht is not None else ""
    w.add("BHT", "0007", "11", reference or None, d8(stamp), stamp.strftime("%H%M"), "18")
    umo = w.hl(None, "20", answer.reject_loop != "2000A")
    w.nm1("X3", tx.umo.entity)
    if w.reject(answer, "2000A"):
        return w.body
    requester = w.hl(umo, "21", answer.reject_loop != "2000B")
    w.nm1("1P", tx.requester.entity if tx.requester else None)
    if w.reject(answer, "2000B"):
        return w.body
    if tx.subscriber is None:
        raise X12BuildError("the request has no subscriber loop (HL 22) to answer")
    parent = w.hl(requester, "22", answer.reject_loop != "2000C")
    w.member(tx.subscriber, "IL")
    if w.reject(answer, "2000C"):
        return w.body
    if tx.dependent is not None:
        parent = w.hl(parent, "23", True)
        w.member(tx.dependent, "QC")
    if not tx.events:
        raise X12BuildError("the request has no patient event loop (HL EV) to answer")
    event = tx.events[0]
    services = [] if answer.reject_loop else event.services
    event_hl = w.hl(parent, "EV", bool(services))
    _event_header(w, event)
    if w.reject(answer, "2000E"):
        return w.body
    w.decision(answer, event)
    for n, service in enumerate(services):
        w.hl(event_hl, "SS", False)
        w.line(answer.for_line(n), service.service)
    return w.body


def build_278_response(request: Read278, answer: Answer278, **options: Unpack[WriteOptions]) -> str:
    """The complete 278 response interchange; addressed back to the request's sender."""
    if not request.transactions:
        raise X12BuildError("the request holds no 278 transaction to answer")
    tx = request.transactions[0]
    delimiters = options.get("delimiters", DEFAULT_DELIMITERS)
    body = build_278_response_body(tx, answer, delimiters, options.get("now"))
    options["parties"] = (
        options.get("parties") or EnvelopeParties.from_interchange(request.interchange).swapped()
    )
    return write_transaction(T278, [body], implementation=tx.implementation, **options)
