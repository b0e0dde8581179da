"""``intake api openapi [--out FILE]``: the liaison API's OpenAPI document."""

from __future__ import annotations

import argparse
from pathlib import Path


def _openapi(args: argparse.Namespace) -> int:
    from intake.api.routes import openapi_json

    text = openapi_json()
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``api`` command group; each leaf sets ``func(args) -> int`` (the exit code)."""
    api = subparsers.add_parser("api", help="the liaison API")
    api_sub = api.add_subparsers(dest="api_command", required=True)
    openapi = api_sub.add_parser("openapi", help="print or write the OpenAPI document")
    openapi.add_argument("--out")
    openapi.set_defaults(func=_openapi)
