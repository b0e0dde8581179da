"""The API's path parameters, one type each, shared by every route that takes them (the bounds
keep a malformed id out before any lookup)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

ReferralId = Annotated[str, Path(max_length=64)]
TaskId = Annotated[str, Path(max_length=120)]
DocumentId = Annotated[str, Path(max_length=80)]
