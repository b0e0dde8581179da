"""``intake``: the command line of the local system.

intake run [--no-auto-liaison] [--json [FILE]] [--follow-course DAYS]
                                                the main job, end to end on the local stack
intake local up                                 start the stack and keep it running
intake tasks list|show|claim|unclaim|complete  work tasks through the liaison API (tables; --json)
intake search --last-name N --dob D | --referral-id ID   find referrals (recorded)
intake api openapi [--out FILE]                 the liaison API's OpenAPI document
intake x12 …, intake referral …, …              per-capability tools

Each command group lives in a module with ``register(subparsers)``; this module imports only
the one the command line names (the others appear in ``--help`` as a name and a summary), so
a command that needs no AWS starts without importing boto3, the SAM translator or moto.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class CommandGroup:
    module: str
    """Imported only when the group runs; its ``register(subparsers)`` adds the group."""
    summary: str
    """The line ``intake --help`` shows for the group."""


COMMANDS: dict[str, CommandGroup] = {
    "run": CommandGroup(
        "intake_local.commands.run", "run the referral pipeline end to end on the local stack"
    ),
    "local": CommandGroup("intake_local.commands.run", "the local stack"),
    "tasks": CommandGroup("intake_local.tasks_cli", "liaison tasks through the API"),
    "search": CommandGroup("intake_local.tasks_cli", "find referrals (recorded in the access log)"),
    "api": CommandGroup("intake_local.commands.api", "the liaison API"),
    "x12": CommandGroup("intake_local.commands.x12", "read 271 responses and build 270 inquiries"),
    "referral": CommandGroup(
        "intake_local.commands.referral", "read referral documents (PDF, HL7, FHIR, JSON)"
    ),
    "estimate": CommandGroup(
        "intake_local.commands.estimate",
        "estimate what the patient will owe for a therapy course, split by plan year",
    ),
    "pa": CommandGroup("intake_local.commands.pa", "prior authorization packets"),
    "ops": CommandGroup(
        "intake_local.commands.ops", "operator commands (see the README's runbook)"
    ),
    "directory": CommandGroup(
        "intake_local.commands.directory", "the payer directory: check, import, export, versions"
    ),
}


def build_parser(load: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The ``intake`` parser: the groups named in ``load`` (default: all) with their options,
    the others as a name and a summary (their modules are not imported)."""
    wanted = set(COMMANDS) if load is None else set(load)
    parser = argparse.ArgumentParser(
        prog="intake", description="Infusion referral intake (local system)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, group in COMMANDS.items():
        if name in wanted and name not in sub.choices:  # a module may add several groups
            importlib.import_module(group.module).register(sub)
    for name, group in COMMANDS.items():
        if name not in sub.choices:
            sub.add_parser(name, help=group.summary, add_help=False)
    return parser


def _named_command(argv: Sequence[str]) -> str | None:
    """The command group the arguments name (the first word that is not an option)."""
    first = next((word for word in argv if not word.startswith("-")), None)
    return first if first in COMMANDS else None


def _cli_errors(command: str | None) -> tuple[type[Exception], ...]:
    """The error a group's module raises for a one-line message and an exit code, if any."""
    if command is None:
        return ()
    module: ModuleType | None = sys.modules.get(COMMANDS[command].module)
    error = getattr(module, "CliError", None)
    return (error,) if isinstance(error, type) and issubclass(error, Exception) else ()


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    command = _named_command(words)
    args = build_parser(load=[command] if command else []).parse_args(words)
    try:
        result: int = args.func(args)
        sys.stdout.flush()
    except _cli_errors(command) as exc:
        print(f"intake: {exc}", file=sys.stderr)
        return int(getattr(exc, "code", 2))
    except BrokenPipeError:
        # The reader went away (`intake tasks list | head`): stop quietly, as cat would.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    raise SystemExit(main())
