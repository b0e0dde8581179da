"""``intake tasks …`` and ``intake search``: the liaison API from a terminal.

Tables for people, ``--json`` for scripts. Bad input, an unreachable API and API errors end
in one plain line on stderr and a non-zero exit (2: your input or the API refused it; 3: the
API could not be reached), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from datetime import UTC, date, datetime
from typing import Any

import requests

API_ENV = "INTAKE_API_URL"
EXIT_INPUT = 2
EXIT_UNREACHABLE = 3


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.code = code


def _base(args: argparse.Namespace) -> str:
    url = args.api or os.environ.get(API_ENV)
    if not url:
        raise CliError(
            f"say where the API is: --api URL or {API_ENV} (printed by 'intake local up')"
        )
    return str(url).rstrip("/")


def call(
    args: argparse.Namespace,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
) -> Any:
    """One API request as ``args.liaison``; an error reply or no reply becomes a ``CliError``."""
    base = _base(args)
    try:
        reply = requests.request(
            method,
            f"{base}{path}",
            json=body,
            params=params,
            headers={"x-intake-liaison": args.liaison},
            timeout=30,
        )
    except requests.RequestException as exc:
        raise CliError(
            f"the API at {base} cannot be reached ({type(exc).__name__}); is the stack up?",
            EXIT_UNREACHABLE,
        ) from None
    try:
        data = reply.json()
    except ValueError:
        data = None
    if not reply.ok:
        message = data.get("message") if isinstance(data, dict) else None
        raise CliError(f"{reply.status_code}: {message or reply.reason}")
    return data


def _age(iso: str, now: datetime) -> str:
    seconds = int((datetime.fromisoformat(iso) - now).total_seconds())
    span = abs(seconds)
    text = (
        f"{span}s"
        if span < 90
        else f"{span // 60}m"
        if span < 5400
        else f"{span // 3600}h"
        if span < 172800
        else f"{span // 86400}d"
    )
    return f"in {text}" if seconds >= 0 else f"{text} ago"


def task_table(tasks: list[dict[str, Any]], me: str, now: datetime, width: int = 120) -> str:
    """One line per task, soonest due first: due, type, status, patient, language, flags, id."""
    header = ("DUE", "TYPE", "STATUS", "PATIENT", "LANG", "FLAGS", "TASK")
    rows = [header]
    for t in tasks:
        patient = t.get("patient") or {}
        name = f"{patient.get('first_name', '')} {patient.get('last_name', '')}".strip() or "-"
        flags = []
        if t.get("overdue"):
            flags.append("OVERDUE")
        if t.get("escalations"):
            flags.append(f"escalated {t['escalations']}")
        if t.get("attempts"):
            flags.append(f"tries {len(t['attempts'])}")
        claimed = t.get("claimed_by")
        status = t["status"] if not claimed else f"claimed:{'me' if claimed == me else claimed}"
        rows.append(
            (
                _age(t["due_at"], now),
                t["task_type"],
                status,
                name,
                str(patient.get("preferred_language", "-")),
                " ".join(flags) or "-",
                t["task_id"],
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    return "\n".join(line[: max(width, 60)] if i else line for i, line in enumerate(lines))


def cmd_tasks(args: argparse.Namespace) -> int:
    action = args.action
    if action == "list":
        params = {
            k: v
            for k, v in {
                "type": args.type,
                "due_before": args.due_before,
                "status": args.status if args.status != "mine" else "claimed",
            }.items()
            if v
        }
        tasks = call(args, "GET", "/tasks", params=params)["tasks"]
        if args.status == "mine":
            tasks = [t for t in tasks if t.get("claimed_by") == args.liaison]
        if args.json:
            print(json.dumps(tasks, indent=2, ensure_ascii=False))
        elif not tasks:
            print("no tasks")
        else:
            width = shutil.get_terminal_size((160, 20)).columns
            print(task_table(tasks, args.liaison, datetime.now(UTC), width))
            print(f"{len(tasks)} task(s); {sum(1 for t in tasks if t.get('overdue'))} overdue")
        return 0
    if action == "show":
        reply = call(args, "GET", f"/tasks/{args.task_id}")
    elif action in ("claim", "unclaim"):
        reply = call(args, "POST", f"/tasks/{args.task_id}/{action}", {"liaison": args.liaison})
    else:
        corrections = None
        if args.corrections:
            try:
                corrections = json.loads(args.corrections)
            except json.JSONDecodeError as exc:
                raise CliError(
                    f"--corrections is not JSON: {exc.msg} (at character {exc.pos})"
                ) from None
            if not isinstance(corrections, dict):
                raise CliError(
                    '--corrections must be a JSON object, e.g. \'{"patient.phone": "3125550100"}\''
                )
        first = args.first_infusion_date
        if first is not None:
            try:
                first = date.fromisoformat(first).isoformat()
            except ValueError:
                raise CliError("--first-infusion-date must be a date, YYYY-MM-DD") from None
        reply = call(
            args,
            "POST",
            f"/tasks/{args.task_id}/complete",
            {
                "outcome": args.outcome,
                "note": args.note,
                "liaison": args.liaison,
                "corrections": corrections,
                **({"first_infusion_date": first} if first else {}),
            },
        )
    if getattr(args, "json", False) or action == "show":
        print(json.dumps(reply, indent=2, ensure_ascii=False))
    else:
        extra = ""
        if reply.get("next_attempt_at"):
            extra = f"; next attempt not before {reply['next_attempt_at']}"
        who = f" by {reply['claimed_by']}" if reply.get("claimed_by") else ""
        print(f"{reply['task_id']}: {reply['status']}{who}{extra}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    if args.referral_id:
        params = {"referral_id": args.referral_id}
    elif args.last_name and args.dob:
        params = {"last_name": args.last_name, "dob": args.dob}
        if args.first_name:
            params["first_name"] = args.first_name
    else:
        raise CliError("search by --referral-id, or by --last-name and --dob (YYYY-MM-DD)")
    found = call(args, "GET", "/search", params=params)
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return 0
    for r in found["results"]:
        print(
            f"{r['referral_id']}  {r['status']:<14} {r.get('first_name') or ''} "
            f"{r.get('last_name') or ''} {r.get('date_of_birth') or ''}  {r.get('drug') or ''}"
        )
    print(f"{found['count']} referral(s)")
    return 0


def add_api_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api", help=f"API base URL (default ${API_ENV})")
    parser.add_argument("--liaison", default=os.environ.get("USER", "liaison"), help="who you are")


def register(sub: Any) -> None:
    tasks = sub.add_parser("tasks", help="liaison tasks through the API")
    add_api_arguments(tasks)
    tasks_sub = tasks.add_subparsers(dest="action", required=True)
    listing = tasks_sub.add_parser("list", help="open and claimed tasks, soonest due first")
    listing.add_argument("--type", help="a task type, e.g. welcome_call")
    listing.add_argument("--due-before", help="ISO time")
    listing.add_argument(
        "--status", choices=("open", "claimed", "mine"), help="default: open and claimed"
    )
    listing.add_argument("--json", action="store_true", help="the API's JSON, for scripts")
    show = tasks_sub.add_parser("show", help="one task as JSON")
    show.add_argument("task_id")
    for name in ("claim", "unclaim"):
        p = tasks_sub.add_parser(name)
        p.add_argument("task_id")
        p.add_argument("--json", action="store_true")
    complete = tasks_sub.add_parser("complete")
    complete.add_argument("task_id")
    complete.add_argument("outcome")
    complete.add_argument("--note")
    complete.add_argument("--corrections", help="JSON object of corrected fields")
    complete.add_argument(
        "--first-infusion-date",
        metavar="YYYY-MM-DD",
        help="scheduling_call reached: the first infusion's date (builds the dose calendar)",
    )
    complete.add_argument("--json", action="store_true")
    tasks.set_defaults(func=cmd_tasks)

    search = sub.add_parser("search", help="find referrals (recorded in the access log)")
    add_api_arguments(search)
    search.add_argument("--referral-id")
    search.add_argument("--last-name")
    search.add_argument("--first-name")
    search.add_argument("--dob", help="date of birth, YYYY-MM-DD")
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=cmd_search)
