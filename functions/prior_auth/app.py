"""Prior authorization steps of the workflow: submit (decide, packet, 278), register the
wait for a pended decision, the overdue and payer-down fallbacks, and acting on what a liaison
decided on an authorization task (appeal, alternative, self-pay, decline...)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from intake.core.handler import instrumented
from intake.core.settings import PriorAuthSettings
from intake.wiring import prior_authorizations

if TYPE_CHECKING:  # the PDF/FHIR stack loads when the service is first built, not at init
    from intake.authorization.service import PaStep, PriorAuthorizations


class PriorAuthRequest(BaseModel):
    action: Literal["submit", "register_wait", "overdue", "payer_down", "resolve", "reauthorize"]
    referral_id: str
    auth_id: str | None = None
    task_token: str | None = None
    result: dict[str, Any] | None = None
    first_day: date | None = None  # reauthorize (a pre-dose check): the course's first dose
    from_dose: date | None = None  # reauthorize: the first dose the new request covers


def _register(service: PriorAuthorizations, r: PriorAuthRequest) -> dict[str, Any]:
    if not r.auth_id or not r.task_token:
        raise ValueError("register_wait needs auth_id and task_token")
    return service.register_wait(r.referral_id, r.auth_id, r.task_token)


def _step(
    call: Callable[[PriorAuthorizations, PriorAuthRequest], PaStep],
) -> Callable[..., dict[str, Any]]:
    return lambda service, r: call(service, r).model_dump(mode="json")


ACTIONS: dict[str, Callable[[PriorAuthorizations, PriorAuthRequest], dict[str, Any]]] = {
    "submit": _step(lambda s, r: s.submit(r.referral_id)),
    "register_wait": _register,
    "overdue": _step(lambda s, r: s.overdue(r.referral_id, r.auth_id or "")),
    "payer_down": _step(lambda s, r: s.payer_down(r.referral_id)),
    "resolve": _step(lambda s, r: s.resolve(r.referral_id, r.result or {})),
    "reauthorize": _step(
        lambda s, r: s.reauthorize(
            r.referral_id, r.first_day or date.min, r.from_dose or r.first_day or date.min
        )
    ),
}


@instrumented(PriorAuthSettings, correlation_id_path="referral_id")
@event_parser(model=PriorAuthRequest)
def lambda_handler(event: PriorAuthRequest, context: LambdaContext) -> dict[str, Any]:
    return ACTIONS[event.action](prior_authorizations(), event)
