# ruff: noqa: RUF001
# Chinese sentences use full-width punctuation, which is correct typography there.
"""The cost-and-options call: a short script a liaison reads to the patient, in their language.

Written as speech (short sentences, rounded-to-cent amounts, no codes) in English, Spanish and
Chinese. It holds no name or member id: the liaison fills in the bracketed parts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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
        programs=tuple(p.name for p in e.assistance_programs),
        assistance=e.assistance_recommended,
    )


def _usd(v: Decimal) -> str:
    return f"${v:,.2f}"


def _en_date(d: date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def _es_date(d: date) -> str:
    return f"{d.day} de {_ES_MONTHS[d.month - 1]} de {d.year}"


def _zh_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _english(f: _Facts) -> list[str]:
    s = [
        f"Hello, this is [your name] from [pharmacy name]. I'm calling about the cost of your "
        f"{f.drug} infusions. This is an estimate based on what your insurance told us today."
    ]
    if not f.payer_known:
        s.append("We do not have a contract with your plan, so we treated it as out of network.")
    elif f.in_network:
        s.append("We are in network with your plan.")
    else:
        s.append(
            "We are out of network with your plan, so your plan pays less and you may pay more."
        )
    if f.deductible == "none":
        s.append("Your plan has no deductible to meet for this care.")
    elif f.deductible == "met":
        s.append("You have already met your deductible for this plan year.")
    else:
        s.append(
            f"You have {_usd(f.deductible_left)} left to meet on your deductible this plan year."
        )
        s.append(
            f"It will be met during infusion number {f.deductible_met_on}."
            if f.deductible_met_on
            else "It will not be fully met during this course."
        )
        if f.deductible_assumed:
            s.append(
                "Your plan did not tell us how much of your deductible is left, so we "
                "assumed none of it has been paid yet."
            )
    if f.course_patient == 0:
        s.append("Based on your benefits, you should not owe anything for these infusions.")
    elif f.typical is None:
        s.append(f"We estimate you will pay about {_usd(f.first)} for each infusion.")
    elif f.typical == 0:
        s.append(
            f"We estimate you will pay about {_usd(f.first)} for your first infusion, and "
            "nothing for most infusions after that."
        )
    else:
        s.append(
            f"We estimate you will pay about {_usd(f.first)} for your first infusion, and "
            f"about {_usd(f.typical)} for most infusions after that."
        )
    when = _en_date(f.through)
    plural = "s" if f.infusions > 1 else ""
    s.append(
        f"For the {f.infusions} infusion{plural} planned through {when}, your total would "
        f"be about {_usd(f.course_patient)}, and your plans would pay about "
        f"{_usd(f.course_plan)}."
    )
    if f.years:
        parts = [f"about {_usd(p)} through {_en_date(end)}" for _, end, p in f.years[:-1]]
        start, _, last = f.years[-1]
        s.append(
            f"That is {', '.join(parts)}, and about {_usd(last)} from {_en_date(start)}, "
            "when your deductible and out-of-pocket maximum start again."
        )
    if f.secondary_pays:
        s.append(
            f"Your other insurance should pay about {_usd(f.secondary_pays)} of what your "
            "main plan leaves; that is already taken off your total."
        )
    if f.oop_reached_on:
        s.append(
            f"During infusion number {f.oop_reached_on} you reach your out-of-pocket "
            "maximum, so after that your covered care costs you nothing more this plan "
            "year."
        )
    if f.after_plan_year is None:
        s.append(
            f"Your treatment continues after {when}; we will check your benefits again "
            "for the new plan year."
        )
    elif f.after_plan_year:
        s.append(
            f"{f.after_plan_year} more infusion{'s' if f.after_plan_year > 1 else ''} "
            f"fall after {when}, when your plan year starts again; we will check your "
            "benefits again before then."
        )
    if not f.in_network:
        s.append(
            "Because we are out of network, you may also be billed the difference between "
            "our charges and what your plan allows."
        )
    if f.assistance:
        s.append(
            f"There are programs that may help with these costs: {'; '.join(f.programs)}. "
            "We can help you apply."
            if f.programs
            else "We can talk about payment options."
        )
    s.append(
        "This is an estimate, not a bill. The final amount depends on how your plan "
        "processes the claims. Do you have any questions?"
    )
    return s


def _spanish(f: _Facts) -> list[str]:
    s = [
        f"Hola, le habla [su nombre] de [nombre de la farmacia]. Le llamo por el costo de sus "
        f"infusiones de {f.drug}. Es un cálculo aproximado según lo que su seguro nos informó "
        "hoy."
    ]
    if not f.payer_known:
        s.append("No tenemos contrato con su plan, así que lo consideramos fuera de la red.")
    elif f.in_network:
        s.append("Estamos dentro de la red de su plan.")
    else:
        s.append(
            "Estamos fuera de la red de su plan, así que su plan paga menos y usted podría "
            "pagar más."
        )
    if f.deductible == "none":
        s.append("Su plan no tiene deducible para este servicio.")
    elif f.deductible == "met":
        s.append("Ya alcanzó su deducible de este año del plan.")
    else:
        s.append(f"Le quedan {_usd(f.deductible_left)} de su deducible este año del plan.")
        s.append(
            f"Lo alcanzará durante la infusión número {f.deductible_met_on}."
            if f.deductible_met_on
            else "No lo alcanzará durante este tratamiento."
        )
        if f.deductible_assumed:
            s.append(
                "Su plan no nos indicó cuánto le queda del deducible, así que supusimos "
                "que todavía no ha pagado nada."
            )
    if f.course_patient == 0:
        s.append("Según sus beneficios, no debería pagar nada por estas infusiones.")
    elif f.typical is None:
        s.append(f"Calculamos que pagará unos {_usd(f.first)} por cada infusión.")
    elif f.typical == 0:
        s.append(
            f"Calculamos que pagará unos {_usd(f.first)} por la primera infusión y nada "
            "por la mayoría de las siguientes."
        )
    else:
        s.append(
            f"Calculamos que pagará unos {_usd(f.first)} por la primera infusión y unos "
            f"{_usd(f.typical)} por la mayoría de las siguientes."
        )
    when = _es_date(f.through)
    count = (
        "la infusión prevista" if f.infusions == 1 else f"las {f.infusions} infusiones previstas"
    )
    s.append(
        f"Por {count} hasta el {when}, el total sería de unos {_usd(f.course_patient)}, "
        f"y sus planes pagarían unos {_usd(f.course_plan)}."
    )
    if f.years:
        parts = [f"unos {_usd(p)} hasta el {_es_date(end)}" for _, end, p in f.years[:-1]]
        start, _, last = f.years[-1]
        s.append(
            f"Eso es {', '.join(parts)}, y unos {_usd(last)} desde el {_es_date(start)}, "
            "cuando su deducible y su máximo de gastos de bolsillo empiezan de nuevo."
        )
    if f.secondary_pays:
        s.append(
            f"Su otro seguro debería pagar unos {_usd(f.secondary_pays)} de lo que deja su "
            "plan principal; ya está descontado de su total."
        )
    if f.oop_reached_on:
        s.append(
            f"En la infusión número {f.oop_reached_on} alcanza su máximo de gastos de "
            "bolsillo; a partir de ahí no pagará más por la atención cubierta este año del "
            "plan."
        )
    if f.after_plan_year is None:
        s.append(
            f"Su tratamiento sigue después del {when}; revisaremos sus beneficios de nuevo "
            "para el nuevo año del plan."
        )
    elif f.after_plan_year:
        more = (
            "Hay 1 infusión más"
            if f.after_plan_year == 1
            else f"Hay {f.after_plan_year} infusiones más"
        )
        s.append(
            f"{more} después del {when}, cuando empieza un nuevo año del plan; volveremos "
            "a revisar sus beneficios antes de esa fecha."
        )
    if not f.in_network:
        s.append(
            "Como estamos fuera de la red, también podrían cobrarle la diferencia entre "
            "nuestro precio y lo que su plan permite."
        )
    if f.assistance:
        s.append(
            f"Hay programas que podrían ayudarle con estos costos: {'; '.join(f.programs)}."
            " Podemos ayudarle a solicitarlos."
            if f.programs
            else "Podemos hablar de opciones de pago."
        )
    s.append(
        "Esto es un cálculo aproximado, no una factura. La cantidad final depende de cómo "
        "su plan procese las reclamaciones. ¿Tiene alguna pregunta?"
    )
    return s


def _yuan(v: Decimal) -> str:
    return f"{v:,.2f}美元"


def _chinese(f: _Facts) -> list[str]:
    s = [
        f"您好，我是[您的姓名]，从[药房名称]打来的。我想跟您说明一下您的{f.drug}输液费用。"
        "这是根据您的保险公司今天提供的信息做出的估算。"
    ]
    if not f.payer_known:
        s.append("我们与您的保险计划没有合约，所以按网外计算。")
    elif f.in_network:
        s.append("我们是您保险计划的网内药房。")
    else:
        s.append("我们不在您保险计划的网络内，所以保险支付得较少，您可能需要支付更多。")
    if f.deductible == "none":
        s.append("您的保险计划对这项服务没有免赔额。")
    elif f.deductible == "met":
        s.append("您本保险年度的免赔额已经付满了。")
    else:
        s.append(f"您本保险年度的免赔额还剩{_yuan(f.deductible_left)}。")
        s.append(
            f"预计在第{f.deductible_met_on}次输液时付满。"
            if f.deductible_met_on
            else "在这个疗程内不会全部付满。"
        )
        if f.deductible_assumed:
            s.append("您的保险公司没有告诉我们免赔额还剩多少，所以我们假设您还没有支付任何免赔额。")
    if f.course_patient == 0:
        s.append("根据您的保险福利，这些输液您应该不需要支付任何费用。")
    elif f.typical is None:
        s.append(f"我们估计您每次输液大约需要支付{_yuan(f.first)}。")
    elif f.typical == 0:
        s.append(f"我们估计您第一次输液大约需要支付{_yuan(f.first)}，之后大多数输液不需要再付费。")
    else:
        s.append(
            f"我们估计您第一次输液大约需要支付{_yuan(f.first)}，"
            f"之后大多数输液每次大约{_yuan(f.typical)}。"
        )
    when = _zh_date(f.through)
    s.append(
        f"到{when}为止计划进行的{f.infusions}次输液，您总共大约需要支付"
        f"{_yuan(f.course_patient)}，保险计划大约支付{_yuan(f.course_plan)}。"
    )
    if f.years:
        parts = [f"{_zh_date(end)}之前约{_yuan(p)}" for _, end, p in f.years[:-1]]
        start, _, last = f.years[-1]
        s.append(
            f"其中{'，'.join(parts)}，{_zh_date(start)}起约{_yuan(last)}"
            "（新的保险年度免赔额和自付上限重新计算）。"
        )
    if f.secondary_pays:
        s.append(
            f"您的第二份保险预计会支付主要保险剩下部分中的约{_yuan(f.secondary_pays)}，已从总额中扣除。"
        )
    if f.oop_reached_on:
        s.append(
            f"在第{f.oop_reached_on}次输液时，您会达到年度自付费用上限，"
            "之后本保险年度内受保的治疗您不需要再付费。"
        )
    if f.after_plan_year is None:
        s.append(f"您的治疗在{when}之后还会继续；新的保险年度开始时我们会再次核实您的保险福利。")
    elif f.after_plan_year:
        s.append(
            f"在{when}之后还有{f.after_plan_year}次输液，那时会进入新的保险年度；"
            "在那之前我们会再次核实您的保险福利。"
        )
    if not f.in_network:
        s.append("由于我们在网外，您还可能需要支付我们的收费与保险允许金额之间的差额。")
    if f.assistance:
        s.append(
            f"有一些援助项目可能帮助您减轻这些费用：{'、'.join(f.programs)}。我们可以协助您申请。"
            if f.programs
            else "我们可以和您谈谈付款方式。"
        )
    s.append("这只是估算，不是账单。最终金额取决于您的保险公司如何处理理赔。请问您还有什么问题吗？")
    return s


_WRITERS: dict[Language, Callable[[_Facts], list[str]]] = {
    Language.ENGLISH: _english,
    Language.SPANISH: _spanish,
    Language.CHINESE: _chinese,
}


def render_call_script(estimate: Estimate, language: Language | None = None) -> str:
    """The script in ``language`` (default: the estimate's), one sentence group per line."""
    lines = _WRITERS[language or estimate.language](_facts(estimate))
    return "\n".join(lines) + "\n"
