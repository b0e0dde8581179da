"""The cost-and-options call: a short script a liaison reads to the patient, in their language.

Written as speech (short sentences, rounded-to-cent amounts, no codes) in English, Spanish and
Chinese; the sentences are data (``intake/data/call_scripts.json``), what to say when is one
walk through the estimate's facts. It holds no name or member id: the liaison fills in the
bracketed parts.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources

from intake.estimate.model import Estimate
from intake.models.referral import Language

_ES_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


@dataclass(frozen=True, slots=True)
class _Facts:
    drug: str
    in_network: bool
    payer_known: bool
    deductible: str
    """none | met | remaining"""
    deductible_left: Decimal
    deductible_met_on: int | None
    deductible_assumed: bool
    first: Decimal
    typical: Decimal | None
    """Most infusions after the first, when it differs from the first."""
    infusions: int
    course_patient: Decimal
    course_plan: Decimal
    through: date
    """The last infusion priced."""
    after_plan_year: int | None
    years: tuple[tuple[date, date, Decimal], ...]
    """(start, end, patient) per plan year, when the course spans more than one."""
    secondary_pays: Decimal | None
    oop_reached_on: int | None
    programs: tuple[str, ...]
    assistance: bool
    help: _Help | None = None
    manufacturer_refused: bool = False
    income_needed: bool = False


@dataclass(frozen=True, slots=True)
class _Help:
    """The program applied: enrolled (with its number) or projected."""

    name: str
    enrollment_id: str | None
    pays: Decimal
    after: Decimal
    years: tuple[tuple[date, date, Decimal], ...]
    """(start, end, patient after) per plan year, when the course spans more than one."""
    runs_out_on: date | None
    owes_after: Decimal | None


def _refused(e: Estimate) -> set[str]:
    """Programs the estimate decided against (a closed fund, a government plan): not offered."""
    decisions = e.assistance.decisions if e.assistance else ()
    return {d.name for d in decisions if d.status in ("not_eligible", "fund_closed")}


def _help(e: Estimate) -> _Help | None:
    applied = e.assistance.applied if e.assistance else None
    if applied is None or applied.program_pays == 0:
        return None
    return _Help(
        name=applied.name,
        enrollment_id=applied.enrollment_id,
        pays=applied.program_pays,
        after=applied.patient_after,
        years=tuple((y.start, y.end, y.patient_after) for y in applied.plan_years)
        if len(applied.plan_years) > 1
        else (),
        runs_out_on=applied.runs_out_on,
        owes_after=applied.owes_after_runs_out,
    )


def _facts(e: Estimate) -> _Facts:
    ded = e.deductible
    totals = [
        a.total
        for a in (e.inputs.benefits.deductible.individual, e.inputs.benefits.deductible.family)
        if a.total is not None
    ]
    left = ded.remaining_before or Decimal(0)
    status = "remaining" if left > 0 else ("met" if any(t > 0 for t in totals) else "none")
    later = [i.patient for i in e.infusions[1:]]
    typical = Counter(later).most_common(1)[0][0] if later else None
    return _Facts(
        drug=e.inputs.therapy.drug_name,
        in_network=e.in_network,
        payer_known=e.payer_known,
        deductible=status,
        deductible_left=left,
        deductible_met_on=ded.reached_on_infusion,
        deductible_assumed=ded.assumed,
        first=e.per_infusion.patient,
        typical=None if typical is None or typical == e.per_infusion.patient else typical,
        infusions=e.course.infusions,
        course_patient=e.course.patient,
        course_plan=e.course.plan,
        through=e.course.last,
        after_plan_year=e.course.after_plan_year,
        years=tuple((y.start, y.end, y.patient) for y in e.plan_years)
        if len(e.plan_years) > 1
        else (),
        secondary_pays=e.secondary.pays if e.secondary and e.secondary.pays else None,
        oop_reached_on=e.out_of_pocket.reached_on_infusion,
        programs=tuple(p.name for p in e.assistance_programs if p.name not in _refused(e)),
        assistance=e.assistance_recommended,
        help=_help(e),
        manufacturer_refused=bool(e.assistance)
        and any(
            d.kind == "manufacturer" and d.status == "not_eligible"
            for d in (e.assistance.decisions if e.assistance else ())
        ),
        income_needed=bool(e.assistance and e.assistance.asks and e.assistance_recommended),
    )


def _usd(v: Decimal) -> str:
    return f"${v:,.2f}"


def _en_date(d: date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def _es_date(d: date) -> str:
    return f"{d.day} de {_ES_MONTHS[d.month - 1]} de {d.year}"


def _zh_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _yuan(v: Decimal) -> str:
    return f"{v:,.2f}美元"


_MONEY: dict[Language, Callable[[Decimal], str]] = {Language.CHINESE: _yuan}
_DAYS: dict[Language, Callable[[date], str]] = {
    Language.ENGLISH: _en_date,
    Language.SPANISH: _es_date,
    Language.CHINESE: _zh_date,
}


@functools.cache
def _sentences() -> dict[str, dict[str, str]]:
    text = resources.files("intake.data").joinpath("call_scripts.json").read_text("utf-8")
    sentences: dict[str, dict[str, str]] = json.loads(text)
    return sentences


def _script(f: _Facts, language: Language) -> list[str]:
    """One walk through the facts for every language; the sentences are the language's."""
    t = _sentences()[language.value]
    m = _MONEY.get(language, _usd)
    day = _DAYS[language]
    s = [t["greeting"].format(drug=f.drug)]
    if not f.payer_known:
        s.append(t["no_contract"])
    else:
        s.append(t["in_network"] if f.in_network else t["out_of_network"])
    if f.deductible == "none":
        s.append(t["no_deductible"])
    elif f.deductible == "met":
        s.append(t["deductible_met"])
    else:
        s.append(t["deductible_left"].format(left=m(f.deductible_left)))
        met_on = f.deductible_met_on
        s.append(t["met_on_infusion"].format(n=met_on) if met_on else t["not_met_this_course"])
        if f.deductible_assumed:
            s.append(t["deductible_assumed"])
    if f.course_patient == 0:
        s.append(t["owes_nothing"])
    elif f.typical is None:
        s.append(t["each_infusion"].format(first=m(f.first)))
    elif f.typical == 0:
        s.append(t["first_then_nothing"].format(first=m(f.first)))
    else:
        s.append(t["first_then_typical"].format(first=m(f.first), typical=m(f.typical)))
    when = day(f.through)
    course = t["course_one" if f.infusions == 1 else "course_many"]
    s.append(
        course.format(n=f.infusions, when=when, patient=m(f.course_patient), plan=m(f.course_plan))
    )
    if f.years:
        parts = [t["year_part"].format(pays=m(p), end=day(end)) for _, end, p in f.years[:-1]]
        start, _, last = f.years[-1]
        joined = t["list_separator"].join(parts)
        s.append(t["years"].format(parts=joined, last=m(last), start=day(start)))
    if f.secondary_pays:
        s.append(t["secondary"].format(pays=m(f.secondary_pays)))
    if f.oop_reached_on:
        s.append(t["oop_reached"].format(n=f.oop_reached_on))
    if f.after_plan_year is None:
        s.append(t["continues_after"].format(when=when))
    elif f.after_plan_year:
        more = t["more_after_one" if f.after_plan_year == 1 else "more_after_many"]
        s.append(more.format(n=f.after_plan_year, when=when))
    if not f.in_network:
        s.append(t["balance_billing"])
    if f.help is not None:
        s.extend(_help_sentences(f.help, t, m, day))
    elif f.assistance:
        programs = t["program_separator"].join(f.programs)
        s.append(t["programs"].format(programs=programs) if f.programs else t["payment_options"])
    if f.assistance and f.manufacturer_refused:
        s.append(t["manufacturer_refused"])
    if f.income_needed:
        s.append(t["income_needed"])
    s.append(t["closing"])
    return s


def _help_sentences(
    h: _Help,
    t: dict[str, str],
    m: Callable[[Decimal], str],
    day: Callable[[date], str],
) -> list[str]:
    """The program applied: enrolled (its number) or what it would pay; what is left to pay,
    per plan year; when its yearly maximum runs out."""
    if h.enrollment_id:
        out = [t["program_enrolled"].format(program=h.name, enrollment_id=h.enrollment_id)]
    else:
        out = [t["program_projected"].format(program=h.name, pays=m(h.pays))]
    if h.years:
        parts = [t["year_part"].format(pays=m(p), end=day(end)) for _, end, p in h.years[:-1]]
        start, _, last = h.years[-1]
        joined = t["list_separator"].join(parts)
        out.append(t["program_after_years"].format(parts=joined, last=m(last), start=day(start)))
    else:
        out.append(t["program_after"].format(after=m(h.after)))
    if h.runs_out_on is not None and h.owes_after is not None:
        out.append(t["program_runs_out"].format(when=day(h.runs_out_on), owes=m(h.owes_after)))
    return out


def render_call_script(estimate: Estimate, language: Language | None = None) -> str:
    """The script in ``language`` (default: the estimate's), one sentence group per line."""
    lines = _script(_facts(estimate), language or estimate.language)
    return "\n".join(lines) + "\n"


def weight_needed_script(language: Language) -> str:
    """What the liaison says when a per-kg dose has no weight: no cost yet, the weight asked
    (issue 22: unknown is the answer, never a reference weight)."""
    return _sentences()[language.value]["weight_needed"] + "\n"
