"""boto3 clients and resources created on first use and reused across invocations."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=30
)


@functools.cache
def client(service: str) -> Any:
    return boto3.client(service, config=_CONFIG)  # type: ignore[call-overload]


@functools.cache
def resource(service: str) -> Any:
    return boto3.resource(service, config=_CONFIG)  # type: ignore[call-overload]


class LazyClient:
    """A class attribute naming an adapter's boto3 client: the one given to the constructor
    (a test's stub, kept in ``_<name>``) or, on first use, one made by ``make`` (by default the
    shared client of ``service``). No client is made at import or when the adapter is built."""

    def __init__(self, service: str, make: Callable[[], Any] | None = None) -> None:
        self._make = make or (lambda: client(service))
        self._slot = f"_{service}"

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}"

    def __get__(self, adapter: object, owner: type | None = None) -> Any:
        made = getattr(adapter, self._slot, None)
        if made is None:
            made = self._make()
            setattr(adapter, self._slot, made)
        return made
