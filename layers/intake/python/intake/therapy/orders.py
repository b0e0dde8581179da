"""A whole order line as prescribers write it, read into phases and planned against the label.

"Ocrelizumab 300 mg IV x 2 two weeks apart, then 600 mg every 6 months", "5 mg/kg at 0, 2 and
6 weeks then every 8 weeks", "400 mg/kg q4wk", "2 g/kg divided over 5 days, then 1 g/kg every 3
weeks", "1.5 g IV q12h x 14 days", "every 4 weeks x 6 doses", q4w / Q4WK / qow / BID / TID.

``read_order`` splits the line into phases (each with its own dose, days, interval, count and
split) and keeps every number it could not place as an unreadable phrase, quoted: an order
that cannot be read prices nothing. ``plan_order`` lays the doses out from the first infusion:

* where the order states something (dose, interval, count), the plan follows the order, and a
  review item names each difference from the label (interval, dose, a phase left out, a
  maximum passed, a course longer than the label's);
* where the order leaves something open (what "every 6 months" counts from, when "x 2" doses
  fall, the dose of "per weight"), the label's rule applies and a note says so;
* a per-kg or per-m² dose without the weight (or height) has no amount: "weight needed".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from intake.therapy.prescription import _WORDS, add_months
from intake.therapy.regimens import DrugRegimens, Phase, Regimen, days_text, load_regimens

Per = Literal["kg", "m2"]
ReviewKind = Literal[
    "unreadable",
    "interval",
    "min_separation",
    "omitted_phase",
    "dose",
    "starting_dose",
    "cap",
    "daily_max",
    "duration",
    "weight_needed",
    "no_label_rule",
]
_MAX_DOSES = 2000


@dataclass(frozen=True, slots=True)
class OrderDose:
    amount_mg: Decimal
    per: Per | None
    text: str


@dataclass(frozen=True, slots=True)
class OrderPhase:
    """One phase as written: any part may be missing (None) and is then the label's."""

    text: str
    dose: OrderDose | None = None
    dose_by_label: bool = False
    at_days: tuple[int, ...] | None = None
    every_days: int | None = None
    every_months: int | None = None
    per_day: int = 1
    count: int | None = None
    split_days: int | None = None
    course: bool = False

    @property
    def timed(self) -> bool:
        return (
            self.at_days is not None
            or self.every_days is not None
            or self.every_months is not None
            or self.count is not None
            or self.split_days is not None
            or self.per_day > 1
        )


@dataclass(frozen=True, slots=True)
class Order:
    text: str
    drug: DrugRegimens | None
    phases: tuple[OrderPhase, ...]
    course_days: int | None = None
    unreadable: tuple[str, ...] = ()
    bsa_formula: str | None = None
    switch_from_ivig: tuple[Decimal, int] | None = None
    """(previous IVIG grams, days between IVIG doses) of "switch IVIG 35 g q4wk to ..."."""


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A difference a pharmacist reviews (or a phrase that could not be read)."""

    kind: ReviewKind
    text: str


@dataclass(frozen=True, slots=True)
class PlannedDose:
    day: date
    amount_mg: Decimal | None
    """None: unknown (no weight for a per-kg dose)."""
    phase: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RegimenPlan:
    doses: tuple[PlannedDose, ...]
    review: tuple[ReviewItem, ...]
    notes: tuple[str, ...]
    source: str | None
    """The label section the regimen came from (None: no regimen on file)."""
    bsa_m2: Decimal | None = None
    bsa_formula: str | None = None
    per_day: int = 1

    @property
    def readable(self) -> bool:
        return not any(r.kind == "unreadable" for r in self.review)


# ---- reading ---------------------------------------------------------------------------

_N = r"(\d+|" + "|".join(_WORDS) + ")"
_UNITS: dict[str, Decimal] = {"mg": Decimal(1), "milligram": Decimal(1), "milligrams": Decimal(1)}
_UNITS |= {"g": Decimal(1000), "gm": Decimal(1000), "gram": Decimal(1000), "grams": Decimal(1000)}
_UNITS |= {"mcg": Decimal("0.001")}
_DOSE_RE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?|\.\d+)\s*(mg|milligrams?|g|gm|grams?|mcg)"
    r"(?:\s*/\s*(kg|m2|m²|m\^2)|\s+per\s+(kg|m2))?(?![\w²])"
)
_ROUTE_RE = re.compile(
    r"\b(?:iv|ivpb|sc|sq|subq|im|intravenous(?:ly)?|subcutaneous(?:ly)?|infusion)\b"
)
_SPLIT_RE = re.compile(rf"\b(?:divided|split)\s+(?:over|into)\s+{_N}\s+(?:consecutive\s+)?days?\b")
_APART_RE = re.compile(rf"\bx\s*{_N}\s*,?\s*{_N}\s+(weeks?|wks?|days?)\s+apart\b")
# One way to read each separator ("," or "&", then "and"; or "and" alone) and at most 12 more
# points: a list neither backtracks over its spaces nor rescans a long run from every number.
_LIST = rf"{_N}(?:(?:\s*[,&]\s*(?:and\s+)?|\s+and\s+){_N}){{1,12}}"
_AT_WEEKS_RE = re.compile(
    rf"(?:\b(?:at|on)\s+)?(?:\b(?:weeks?|wks?)\s+(?P<a>{_LIST})|\b(?P<b>{_LIST})\s+(?:weeks?|wks?)\b)"
)
_AT_DAYS_RE = re.compile(r"(?:\b(?:on\s+)?)\bdays?\s+\d+(?:\s*(?:,|and|&)\s*(?:days?\s+)?\d+)+")
_HOURS_RE = re.compile(r"\b(?:q\s*|every\s+)(\d+)\s*(?:h|hrs?|hours?)\b")
_EVERY_RE = re.compile(
    rf"\b(?:every|each|q)\s*{_N}(?:\s*(?:-|to)\s*{_N})?\s*"
    r"(weeks?|wks?|wk|w|days?|d|months?|mos?)\b"
)
_PER_DAY = {"qid": 4, "tid": 3, "bid": 2, "twice daily": 2, "twice a day": 2}
_PER_DAY |= {"three times daily": 3, "four times daily": 4}
_PER_DAY_RE = re.compile(r"\b(" + "|".join(sorted(_PER_DAY, key=len, reverse=True)) + r")\b")
_FIXED = {"qow": 14, "every other week": 14, "biweekly": 14, "weekly": 7, "qweek": 7}
_FIXED |= {"once weekly": 7, "qod": 2, "every other day": 2, "daily": 1, "once daily": 1}
_FIXED |= {"qd": 1, "q24h": 1, "once a day": 1}
_FIXED_RE = re.compile(r"\b(" + "|".join(sorted(_FIXED, key=len, reverse=True)) + r")\b")
_MONTHLY_RE = re.compile(r"\b(?:monthly|every month|once a month)\b")
_DURATION_RE = re.compile(rf"\b(?:x|for)\s*{_N}\s*(days?|weeks?|wks?|months?)\b")
_COUNT_RE = re.compile(rf"\b(?:x|for)\s*{_N}\s*(?:doses?|infusions?|courses?|treatments?)?(?!\w)")
_REPEAT_RE = re.compile(r"\brepeat(?:\s+(?:the\s+)?course)?\b")
_SPLIT_PHASES_RE = re.compile(
    r"(?<!\s)(?:\s*(?:[,;]\s*)?(?:and\s+)?(?:then|followed by)\s+|\s*;\s*)|,\s*(?=repeat\b)"
)
_SWITCH_RE = re.compile(
    rf"\bswitch(?:ing)?\s+(?:from\s+)?ivig\s+(\d+(?:\.\d+)?)\s*g\s+(?:q|every\s*){_N}\s*"
    r"(?:wks?|weeks?|w)\s+to\b"
)
_NOISE_RE = re.compile(
    r"\bwith\b[^,;]*|\bdose per label conversion\b|\bper label( conversion)?\b|\bthereafter\b"
    r"|\bmaintenance\b|\bloading\b|\binduction\b|\bcourse\b|\bdoses?\b|\bthen\b|[(),;:@]"
)


def _num(token: str) -> int:
    return int(token) if token.isdigit() else _WORDS[token]


def _consume(text: str, match: re.Match[str]) -> str:
    """The text with the match blanked (same length, so later spans keep their places)."""
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def _offsets(numbers: Sequence[int], unit_days: int, one_based: bool) -> tuple[int, ...] | None:
    base = 1 if one_based and 0 not in numbers else 0
    days = tuple((n - base) * unit_days for n in numbers)
    return days if days and days[0] == 0 and list(days) == sorted(set(days)) else None


def _read_phase(original: str, unreadable: list[str]) -> tuple[OrderPhase, int | None]:
    """One phase's text → the phase and any course length it names (days)."""
    t = original.lower()
    found: dict[str, object] = {}
    duration: int | None = None
    if m := _REPEAT_RE.search(t):
        found["course"] = True
        t = _consume(t, m)
    if m := _SPLIT_RE.search(t):
        found["split_days"] = _num(m.group(1))
        t = _consume(t, m)
    if m := _APART_RE.search(t):
        count, gap = _num(m.group(1)), _num(m.group(2))
        step = gap * (1 if m.group(3).startswith("d") else 7)
        found["at_days"] = tuple(step * i for i in range(count))
        t = _consume(t, m)
    if m := _AT_WEEKS_RE.search(t):
        listed = [_num(n) for n in re.findall(_N, m.group("a") or m.group("b"))]
        days = _offsets(listed, 7, one_based=False)
        if days is not None:
            found["at_days"] = days
            t = _consume(t, m)
    if m := _AT_DAYS_RE.search(t):
        days = _offsets([int(n) for n in re.findall(r"\d+", m.group(0))], 1, one_based=True)
        if days is not None:
            found["at_days"] = days
            t = _consume(t, m)
    if m := _DURATION_RE.search(t):
        n, unit = _num(m.group(1)), m.group(2)
        duration = n * (7 if unit.startswith("w") else 30 if unit.startswith("mo") else 1)
        if unit.startswith("mo"):
            duration = None
            unreadable.append(m.group(0).strip())  # months of days: count it in days or doses
        t = _consume(t, m)
    if m := _HOURS_RE.search(t):
        hours = int(m.group(1))
        if hours and 24 % hours == 0:
            found["per_day"], found["every_days"] = 24 // hours, 1
        elif hours and hours % 24 == 0:
            found["every_days"] = hours // 24
        else:
            unreadable.append(m.group(0).strip())
        t = _consume(t, m)
    if m := _PER_DAY_RE.search(t):
        found["per_day"], found["every_days"] = _PER_DAY[m.group(1)], 1
        t = _consume(t, m)
    if m := _EVERY_RE.search(t):
        n, unit = _num(m.group(1)), m.group(3)
        if m.group(2):  # "every 3-4 weeks": the shorter interval, the most doses
            n = min(n, _num(m.group(2)))
        if unit.startswith("m"):
            found["every_months"] = n
        else:
            found["every_days"] = n * (1 if unit.startswith("d") else 7)
        t = _consume(t, m)
    elif m := _FIXED_RE.search(t):
        found["every_days"] = _FIXED[m.group(1)]
        t = _consume(t, m)
    elif m := _MONTHLY_RE.search(t):
        found["every_months"] = 1
        t = _consume(t, m)
    if m := _COUNT_RE.search(t):
        found["count"] = _num(m.group(1))
        t = _consume(t, m)
    dose: OrderDose | None = None
    if m := _DOSE_RE.search(t):
        per_text = (m.group(3) or m.group(4) or "").replace("²", "2").replace("^", "")
        per: Per | None = "kg" if per_text == "kg" else "m2" if per_text == "m2" else None
        amount = Decimal(m.group(1)) * _UNITS[m.group(2)]
        dose = OrderDose(amount, per, original[m.start() : m.end()].strip())
        t = _consume(t, m)
    by_label = bool(re.search(r"\bper weight\b|\bweight[- ]based\b|\bper label\b", t))
    t = re.sub(r"\bper weight\b|\bweight[- ]based\b", " ", t)
    for leftover in re.finditer(r"(?<!\S)\S*\d\S*(?:\s+[a-z/]+)?", _NOISE_RE.sub(" ", t)):
        unreadable.append(original[leftover.start() : leftover.end()].strip(" ,;"))
    return OrderPhase(original.strip(), dose, by_label, **found), duration  # type: ignore[arg-type]


@functools.lru_cache(maxsize=512)
def read_order(text: str) -> Order:
    """The order line read into phases (pure and immutable, so cached by text); every number
    that could not be placed is quoted in ``unreadable`` (the plan then prices nothing)."""
    found = load_regimens().find(text)
    drug = found[0] if found else None
    rest = text
    if found:
        rest = re.sub(rf"(?i)(?<![a-z]){re.escape(found[1])}(?![a-z])", " ", rest, count=1)
    bsa = None
    if m := re.search(r"(?i)\b(mosteller|du ?bois)\b", rest):
        bsa = "Mosteller" if m.group(1).lower() == "mosteller" else "DuBois"
    switch = None
    if m := _SWITCH_RE.search(rest.lower()):
        switch = (Decimal(m.group(1)), 7 * _num(m.group(2)))
        rest = rest[: m.start()] + " " * (m.end() - m.start()) + rest[m.end() :]
    rest = re.sub(
        r"\([^()]*\)", " ", rest
    )  # remarks (innermost; no rescan from each "("): "(BSA by Mosteller)", "(CrCl 22)"
    rest = _ROUTE_RE.sub(" ", rest.lower())
    rest = re.sub(r"(?<=\S)\s+(?:sc|iv)\s+(?=weekly)", " ", rest)
    rest = re.sub(r"\bto\s+(?:\w+\s+)?(?=weekly|every|q\d)", " ", rest) if switch else rest
    unreadable: list[str] = []
    phases: list[OrderPhase] = []
    course_days: int | None = None
    for part in _SPLIT_PHASES_RE.split(rest):
        if not part.strip(" ,;"):
            continue
        phase, duration = _read_phase(part, unreadable)
        course_days = duration if duration is not None else course_days
        if phase.course and phase.dose is None and phases:  # "repeat (course) q12 weeks"
            previous = phases.pop()
            phase = OrderPhase(
                f"{previous.text}; {phase.text}",
                previous.dose,
                previous.dose_by_label,
                previous.at_days or (0,),
                phase.every_days,
                phase.every_months,
                previous.per_day,
                phase.count,
                previous.split_days,
                True,
            )
        phases.append(phase)
    return Order(text, drug, tuple(phases), course_days, tuple(unreadable), bsa, switch)


# ---- planning --------------------------------------------------------------------------


def bsa_m2(weight_kg: Decimal, height_cm: Decimal, formula: str = "Mosteller") -> Decimal:
    """Body surface area: Mosteller sqrt(h*w/3600); DuBois 0.007184 w^0.425 h^0.725."""
    if formula == "DuBois":
        value = 0.007184 * float(weight_kg) ** 0.425 * float(height_cm) ** 0.725
        return Decimal(str(value))
    return (height_cm * weight_kg / 3600).sqrt()


@dataclass
class _Resolved:
    name: str
    dose: OrderDose | None
    tier_phase: Phase | None
    at_days: tuple[int, ...]
    every_days: int | None
    every_months: int | None
    per_day: int
    count: int | None
    split_days: int | None
    anchor: str
    after_days: int
    label: Phase | None = None


@dataclass
class _Review:
    items: list[ReviewItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, kind: ReviewKind, text: str) -> None:
        if all(i.text != text for i in self.items):
            self.items.append(ReviewItem(kind, text))


def _interval_text(days: int | None, months: int | None) -> str:
    if months is not None:
        return f"every {months} month{'s' if months > 1 else ''}"
    return "once" if days is None else f"every {days_text(days)}"


def _same_dose(order: OrderDose, label: Phase) -> bool | None:
    """Whether the order's dose is the label's (None: the label gives no single dose)."""
    dose = label.dose
    if dose is None or dose.tiers:
        return None
    if dose.per != order.per:
        return False
    if dose.range is not None:
        low, high = (dose.mg(v) for v in dose.range)
        return low <= order.amount_mg <= high
    return dose.amount is not None and dose.mg(dose.amount) == order.amount_mg


def _compare(order: Order, regimen: Regimen, review: _Review) -> list[_Resolved]:
    """The order's phases, each with the label's rule for what the order leaves open."""
    label = list(regimen.phases)
    written = [p for p in order.phases if p.timed or p.dose or p.dose_by_label]
    if not any(p.timed for p in written):  # "Entyvio 300 mg IV": the label's schedule
        dose = written[0].dose if written else None
        review.notes.append(f"the order gives no schedule: the label's applies ({regimen.section})")
        if dose is not None and any(_same_dose(dose, p) is False for p in label):
            wanted = label[-1].dose.describe() if label[-1].dose else "dose"
            review.add("dose", f"order dose {dose.text} differs from the label's {wanted}")
        for p in label:
            if p.split_days is not None:
                _ask_split(p, review)
        return [
            _Resolved(
                p.name,
                None if p.split_days else dose,
                p if dose is None and not p.split_days else None,
                p.at_days,
                p.every_days,
                None,
                1,
                order.phases[0].count if order.phases else None,
                None,
                p.from_,
                p.after_days,
                p,
            )
            for p in label
        ]
    if len(written) < len(label):
        skipped = label[: len(label) - len(written)]
        if all(p.every_days is None or p.at_days != (0,) for p in skipped):
            names = ", ".join(f"{p.name} ({_at_text(p)})" for p in skipped)
            review.add("omitted_phase", f"the order omits (replaces) the label's {names}")
        label = label[len(label) - len(written) :]
    resolved: list[_Resolved] = []
    previous_dose: OrderDose | None = None
    for index, phase in enumerate(written):
        lab = label[index] if index < len(label) else None
        dose = phase.dose or (previous_dose if not phase.dose_by_label else None)
        days, months = phase.every_days, phase.every_months
        if lab is not None and months is not None and str(months) in lab.months_as_days:
            days, months = lab.months_as_days[str(months)], None
            review.notes.append(
                f"'every {phase.every_months} months' is {days // 7} weeks as the label states "
                f"it ({regimen.section})"
            )
        at = phase.at_days
        if at is None and phase.count and lab is not None and len(lab.at_days) == phase.count:
            at = lab.at_days
            review.notes.append(
                f"the order gives {phase.count} doses without their days: the label's "
                f"{lab.name} falls on days {', '.join(map(str, at))} ({regimen.section})"
            )
        split = phase.split_days
        unsplit = split is None and lab is not None and lab.split_days is not None
        if unsplit and lab is not None and lab.split_days is not None:
            _ask_split(lab, review)
        anchor, after = "previous_phase_last", days or 0
        if lab is not None:
            anchor = lab.from_
            after = lab.after_days if lab.after_days == 0 else (days or lab.after_days)
        elif index > 0:
            review.add(
                "no_label_rule",
                f"no label rule on file for what '{phase.text}' counts from: counted from the "
                "last dose before it; confirm with the prescriber",
            )
        if index == 0 and anchor != "regimen_start":
            anchor, after = "regimen_start", 0
        # "x 2 two weeks apart": the count is the listed days, not cycles of them
        listed = at is not None and not phase.course and len(at) == phase.count
        count = None if listed else phase.count
        resolved.append(
            _Resolved(
                lab.name if lab else f"phase {index + 1}",
                None if unsplit else dose,
                lab if dose is None and not unsplit else None,
                at or (0,),
                days,
                months,
                phase.per_day,
                count,
                split,
                anchor,
                after,
                lab,
            )
        )
        if lab is not None:
            _compare_phase(phase, dose, days, months, lab, regimen, review)
        previous_dose = dose
    return resolved


def _ask_split(phase: Phase, review: _Review) -> None:
    """A total the label divides over a range of days the order does not name: no amount a
    day is planned (it would be a guess), and the pharmacist is asked."""
    assert phase.split_days is not None
    review.add(
        "no_label_rule",
        f"the order does not say over how many consecutive days the {phase.name} dose is "
        f"divided (label: {phase.split_days.min} to {phase.split_days.max} days): not priced",
    )


def _at_text(phase: Phase) -> str:
    if phase.split_days:
        return f"divided over {phase.split_days.min} to {phase.split_days.max} days"
    return "days " + ", ".join(map(str, phase.at_days))


def _compare_phase(
    phase: OrderPhase,
    dose: OrderDose | None,
    days: int | None,
    months: int | None,
    lab: Phase,
    regimen: Regimen,
    review: _Review,
) -> None:
    interval = days if months is None else None
    if interval is not None and (lab.every_days is not None or lab.range_days is not None):
        minimum = (
            regimen.min_course_separation_days if phase.course else regimen.min_separation_days
        )
        sooner = bool(minimum and interval < minimum)
        if phase.course and sooner:  # one item: the course interval against the label's
            review.add(
                "min_separation",
                f"course interval {_interval_text(interval, None).removeprefix('every ')} is "
                f"sooner than the label's minimum of {(minimum or 0) // 7} weeks between courses "
                f"(label: {lab.interval_text()})",
            )
            return
        if not lab.accepts_interval(interval) and not (interval == 1 and lab.every_days == 1):
            review.add(
                "interval",
                f"order interval {_interval_text(interval, None)} differs from the label's "
                f"{lab.interval_text()} ({lab.name})",
            )
        if sooner:
            review.add(
                "min_separation",
                f"{_interval_text(interval, None).removeprefix('every ')} is shorter than the "
                f"label's minimum separation of {(minimum or 0) // 7} weeks between doses",
            )
    if dose is not None and lab.dose is not None:
        same = _same_dose(dose, lab)
        if same is False:
            if (
                lab.escalation is not None
                and lab.escalation.amount is not None
                and (lab.escalation.mg(lab.escalation.amount) == dose.amount_mg)
            ):
                review.add(
                    "starting_dose",
                    f"the order starts at {dose.text}; the label's starting dose is "
                    f"{lab.dose.describe()}, increased to {lab.escalation.describe()} on "
                    "clinical response",
                )
            else:
                review.add(
                    "dose", f"order dose {dose.text} differs from the label's {lab.dose.describe()}"
                )


def _amount(
    phase: _Resolved,
    weight: Decimal | None,
    bsa: Decimal | None,
    regimen: Regimen | None,
    review: _Review,
) -> Decimal | None:
    if phase.dose is None:
        label = phase.tier_phase.dose if phase.tier_phase else None
        if label is None:
            return None
        if label.tiers:
            if weight is None:
                review.add("weight_needed", "weight needed: the label's dose is by weight")
                return None
            return label.tier_mg(weight)
        if label.amount is None:
            return None
        dose = OrderDose(label.mg(label.amount), label.per, label.describe())
    else:
        dose = phase.dose
    if dose.per == "kg":
        if weight is None:
            review.add("weight_needed", f"weight needed: {dose.text} is dosed by weight")
            return None
        amount = dose.amount_mg * weight
    elif dose.per == "m2":
        if bsa is None:
            review.add("weight_needed", f"weight and height needed: {dose.text} is dosed by BSA")
            return None
        amount = dose.amount_mg * bsa
    else:
        amount = dose.amount_mg
    cap = regimen.max_dose_mg if regimen else None
    if cap is not None and amount > cap:
        review.add(
            "cap",
            f"calculated {_mg(amount)} mg ({dose.text} x {_mg(weight or Decimal(0))} kg) exceeds "
            f"the label's maximum of {_mg(cap)} mg per infusion; capped at {_mg(cap)} mg",
        )
        amount = cap
    return amount


def _mg(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _cycles(start: date, phase: _Resolved) -> Iterator[date]:
    if phase.every_days is None and phase.every_months is None:
        yield start
        return
    for n in range(_MAX_DOSES):
        if phase.every_months is not None:
            yield add_months(start, n * phase.every_months)
        else:
            yield start + timedelta(days=n * (phase.every_days or 0))


def plan_order(
    order: Order,
    *,
    first: date | datetime,
    through: date | None = None,
    weight_kg: Decimal | None = None,
    height_cm: Decimal | None = None,
    indication: str | None = None,
    icd10: Sequence[str] = (),
    last_ivig: date | None = None,
) -> RegimenPlan:
    """Doses from ``first`` through ``through`` (inclusive) or the order's own end, with the
    review items and notes. An unreadable order plans no dose."""
    review = _Review()
    for phrase in order.unreadable:
        review.add("unreadable", f"unreadable phrase: '{phrase}' (not priced)")
    if order.unreadable or not order.phases:
        if not order.phases:
            review.add("unreadable", f"unreadable order: '{order.text}'")
        return RegimenPlan((), tuple(review.items), (), None)
    drug = order.drug
    regimen = drug.regimen_for(indication, icd10) if drug else None
    source = drug.citation(regimen) if drug and regimen else None
    first_at = first if isinstance(first, datetime) else None
    start = first.date() if isinstance(first, datetime) else first
    if regimen is None:
        review.notes.append("no label regimen on file for this drug or indication")
        phases = _compare_unlabelled(order, review)
    else:
        phases = _compare(order, regimen, review)
        if regimen.open_rule:
            review.notes.append(f"the label leaves a rule open: {regimen.open_rule}")
    if regimen and regimen.switch_from_ivig and order.switch_from_ivig:
        grams, every = order.switch_from_ivig
        weekly = grams * 1000 / Decimal(every // 7) * regimen.switch_from_ivig.factor
        phases = [_with_dose(p, OrderDose(weekly, None, f"{_mg(weekly)} mg")) for p in phases]
        if last_ivig is None:
            review.add("no_label_rule", "the last IVIG infusion date is needed to start SCIG")
            return RegimenPlan((), tuple(review.items), tuple(review.notes), source)
        start = last_ivig + timedelta(days=regimen.switch_from_ivig.start_after_last_ivig_days)
        review.notes.append(
            f"first dose {regimen.switch_from_ivig.start_after_last_ivig_days} days after the "
            f"last IVIG infusion; weekly dose = {grams} g / {every // 7} weeks x "
            f"{regimen.switch_from_ivig.factor} ({source})"
        )
    bsa = None
    if height_cm is not None and weight_kg is not None:
        bsa = bsa_m2(weight_kg, height_cm, order.bsa_formula or "Mosteller")
    if any(p.dose and p.dose.per == "m2" for p in phases) and order.bsa_formula is None:
        review.notes.append("BSA formula not named in the order: Mosteller used")
    per_day = max((p.per_day for p in phases), default=1)
    limit = regimen.max_course_days if regimen else None
    if order.course_days and limit and order.course_days > limit:
        review.add(
            "duration",
            f"course of {order.course_days} days exceeds the label's up to {limit} days",
        )
    doses = list(_lay_out(phases, start, first_at, through, order, weight_kg, bsa, regimen, review))
    if regimen and regimen.max_daily_mg and doses and doses[0].amount_mg is not None:
        daily = doses[0].amount_mg * per_day
        if daily > regimen.max_daily_mg:
            review.add(
                "daily_max",
                f"daily total {_mg(daily / 1000)} g exceeds the label maximum of "
                f"{_mg(regimen.max_daily_mg / 1000)} g/day",
            )
    return RegimenPlan(
        tuple(doses),
        tuple(review.items),
        tuple(review.notes),
        source,
        None if bsa is None else bsa.quantize(Decimal("0.01"), ROUND_HALF_UP),
        (order.bsa_formula or "Mosteller") if bsa is not None else None,
        per_day,
    )


def _with_dose(phase: _Resolved, dose: OrderDose) -> _Resolved:
    phase.dose, phase.tier_phase = dose, None
    return phase


def _compare_unlabelled(order: Order, review: _Review) -> list[_Resolved]:
    out: list[_Resolved] = []
    previous: OrderDose | None = None
    for index, p in enumerate(order.phases):
        dose = p.dose or previous
        if index > 0:
            review.add(
                "no_label_rule",
                f"no label rule on file for what '{p.text}' counts from: counted from the last "
                "dose before it; confirm with the prescriber",
            )
        count = None if p.at_days and p.count == len(p.at_days) else p.count
        out.append(
            _Resolved(
                f"phase {index + 1}",
                dose,
                None,
                p.at_days or (0,),
                p.every_days,
                p.every_months,
                p.per_day,
                count,
                p.split_days,
                "regimen_start" if index == 0 else "previous_phase_last",
                0 if index == 0 else (p.every_days or 0),
                None,
            )
        )
        previous = dose
    return out


def _lay_out(
    phases: Sequence[_Resolved],
    start: date,
    first_at: datetime | None,
    through: date | None,
    order: Order,
    weight: Decimal | None,
    bsa: Decimal | None,
    regimen: Regimen | None,
    review: _Review,
) -> Iterator[PlannedDose]:
    end = start + timedelta(days=order.course_days) if order.course_days else None
    first_day: date | None = None
    last_day: date | None = None
    clock = first_at.time() if first_at else time(0)
    for phase in phases:
        amount = _amount(phase, weight, bsa, regimen, review)
        if phase.anchor == "previous_phase_first" and first_day is not None:
            base = first_day + timedelta(days=phase.after_days)
        elif phase.anchor == "previous_phase_last" and last_day is not None:
            base = last_day + timedelta(days=phase.after_days)
        else:
            base = start + timedelta(days=phase.after_days)
        split = phase.split_days or 1
        given = None if amount is None else amount / split
        phase_first: date | None = None
        stop = False
        for cycles, cycle in enumerate(_cycles(base, phase)):
            if phase.count is not None and cycles >= phase.count:
                break
            for offset in phase.at_days:
                for extra in range(split):
                    day = cycle + timedelta(days=offset + extra)
                    if (through is not None and day > through) or (end is not None and day >= end):
                        stop = True
                        break
                    phase_first = phase_first or day
                    last_day = day
                    for n in range(phase.per_day):
                        at = datetime.combine(day, clock) + timedelta(hours=24 * n / phase.per_day)
                        when = at if first_at else None
                        yield PlannedDose(at.date() if first_at else day, given, phase.name, when)
                if stop:
                    break
            if stop or (phase.every_days is None and phase.every_months is None):
                break
        first_day = phase_first or first_day
        if stop:
            return
