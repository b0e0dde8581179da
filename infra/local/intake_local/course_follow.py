"""``intake run --follow-course DAYS``: move the local stack's clock a day at a time, run the
dose sweep as its schedule would, let the auto-liaison take the check-in calls, and report
each pre-dose check as it ends (cleared or held, and why)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import requests

from intake_local.nurse import visit_body, visit_start
from intake_local.pipeline import LiaisonClient, LiaisonScripts, RunResult, work_tasks
from intake_local.stack import LocalStack

CHECK_WAIT_S = 900.0
"""How long one day's checks may take before the run reports them as still running and moves
on. The clock stands still meanwhile: a check has days in AWS (due a week before the dose, held
at its ship-by date), so the run must not let days pass faster than the checks can run."""
POLL_S = 1.0


def doses_of(api: LiaisonClient, referral_id: str) -> list[dict[str, Any]]:
    reply = api.http.get(f"{api.base_url}/referrals/{referral_id}/doses", timeout=30)
    if reply.status_code == 404:
        return []
    reply.raise_for_status()
    return list(reply.json()["doses"])


def follow_course(
    stack: LocalStack,
    result: RunResult,
    days: int,
    scripts: LiaisonScripts | None = None,
    *,
    auto_liaison: bool = True,
    out: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Advance ``days`` days; returns every check that ended (one entry per dose version)."""
    assert stack.outputs is not None
    api = LiaisonClient(stack.outputs.api_url)
    files = {r["referral_id"]: r["file"] for r in result.referrals if r.get("referral_id")}
    followed = [rid for rid in files if doses_of(api, rid)]
    out(f"\nFollowing {len(followed)} courses for {days} days from {stack.now().date()}…")
    reported: set[tuple[str, int, int]] = set()
    visited: set[tuple[str, int]] = set()
    checks: list[dict[str, Any]] = []
    running = 0
    for day in range(1, days + 1):
        now = stack.move_clock(timedelta(days=1))
        try:
            sweep = stack.sweep_doses()
        except Exception:  # the invocation timed out on a loaded machine: the checks ran or
            sweep = {"due": 1}  # run on the next sweep; look at the doses either way
        if not sweep.get("due") and not running:
            continue
        deadline = time.monotonic() + CHECK_WAIT_S
        while True:
            if auto_liaison:
                work_tasks(api, scripts, now=stack.now())
            running = 0
            for rid in followed:
                try:
                    doses = doses_of(api, rid)
                except requests.RequestException:  # a loaded machine: look again next round
                    running += 1
                    continue
                for dose in doses:
                    key = (rid, dose["number"], dose["version"])
                    if dose["status"] == "checking":
                        running += 1
                    elif dose["status"] in ("cleared", "held") and key not in reported:
                        reported.add(key)
                        entry = _entry(day, now.date().isoformat(), files[rid], rid, dose)
                        checks.append(entry)
                        out(_line(entry))
                        if auto_liaison and scripts is not None and dose["status"] == "cleared":
                            _hold_if_scripted(api, scripts, rid, dose["number"], out)
            if auto_liaison and scripts is not None:
                _document_given_doses(api, scripts, followed, now.date(), visited, out)
            if not running or time.monotonic() > deadline:
                if running:
                    out(f"  day +{day}: {running} checks still running after {CHECK_WAIT_S:.0f} s")
                break
            time.sleep(POLL_S)
    if auto_liaison:
        work_tasks(api, scripts, now=stack.now())  # the last deliveries
    for r in result.referrals:
        if r.get("referral_id") in followed:
            r["course"] = [_dose(d) for d in doses_of(api, r["referral_id"])]
            view = api.referral(r["referral_id"])  # the latest 271 and estimate version
            r["benefits"], r["estimate"] = view.get("benefits"), view.get("estimate")
    return checks


def _document_given_doses(
    api: LiaisonClient,
    scripts: LiaisonScripts,
    followed: list[str],
    today: date,
    visited: set[tuple[str, int]],
    out: Callable[[str], None],
) -> None:
    """The auto-nurse documents each dose given (a cleared dose whose day has come) with the
    sample's ``dose_visit`` script (``_liaison.json``): a visit record whose start and stop give
    its nursing units. Dose 1's visit is the first visit (its own task)."""
    for rid in followed:
        script = scripts.dose_visit(rid)
        if script is None:
            continue
        for dose in doses_of(api, rid):
            key = (rid, int(dose["number"]))
            day = date.fromisoformat(dose["day"])
            if key in visited or dose["number"] < 2 or dose["status"] != "cleared" or day > today:
                continue
            body = visit_body(script, visit_start({"day": dose["day"]}, today))
            reply = api.http.post(
                f"{api.base_url}/referrals/{rid}/doses/{dose['number']}/visit",
                json={**body, "liaison": api.liaison},
                timeout=30,
            )
            if reply.status_code in (200, 409):
                visited.add(key)
            if reply.status_code == 200:
                units = reply.json()["record"]["nursing_units"]
                out(f"  {rid}: dose {dose['number']} given, visit documented ({units})")


def _hold_if_scripted(
    api: LiaisonClient,
    scripts: LiaisonScripts,
    referral_id: str,
    number: int,
    out: Callable[[str], None],
) -> None:
    """A liaison (pharmacist) holds the therapy once the sample's dose is cleared, before it
    ships: the hold cancels the open delivery, check-in and hold tasks of every dose ahead."""
    hold = scripts.course_hold(referral_id)
    if not hold or referral_id in scripts.held or number != int(hold["when_cleared"]):
        return
    reply = api.http.post(
        f"{api.base_url}/referrals/{referral_id}/course/hold",
        json={"reason": hold["reason"], "liaison": hold.get("by") or "pharmacist"},
        timeout=60,
    )
    reply.raise_for_status()
    scripts.held.add(referral_id)
    held = reply.json()["doses"]
    cancelled = [t["task_id"] for d in held for t in d["tasks"] if t["status"] == "cancelled"]
    out(
        f"  {referral_id}: therapy held by {hold.get('by') or 'pharmacist'} after dose {number} "
        f"cleared: {len(held)} doses held, {len(cancelled)} tasks cancelled"
    )


def _dose(dose: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": dose["number"],
        "day": dose["day"],
        "kind": dose["kind"],
        "status": dose["status"],
        "hold_reason": dose.get("hold_reason"),
        "ship_by": dose.get("ship_by"),
        "check": dose.get("check") or {},
        "tasks": [
            {"task_id": t["task_id"], "type": t["task_type"], "status": t["status"]}
            for t in dose["tasks"]
        ],
    }


def _entry(day: int, on: str, file: str, rid: str, dose: dict[str, Any]) -> dict[str, Any]:
    return {"follow_day": day, "on": on, "file": file, "referral_id": rid, **_dose(dose)}


def _line(e: dict[str, Any]) -> str:
    """One check as it ended: ids, dates and outcomes only (no referral values)."""
    check = e["check"]
    benefits = check.get("benefits") or {}
    auth = check.get("authorization") or {}
    notes = []
    if benefits.get("changes"):
        notes.append("changes: " + ", ".join(benefits["changes"]))
    if benefits.get("estimate_version"):
        notes.append(f"estimate v{benefits['estimate_version']}")
    if auth.get("authorization") and auth["authorization"] != "not_required":
        left = auth.get("units_left")
        notes.append(
            f"auth {auth['authorization']}" + (f", {left} units left" if left is not None else "")
        )
    if auth.get("reauthorization"):
        notes.append(f"re-authorization 278: {auth['reauthorization'].get('status')}")
    if auth.get("reauthorization_task"):
        notes.append("re-authorization task opened ahead")
    status = e["status"] + (f" ({e['hold_reason']})" if e.get("hold_reason") else "")
    if e["status"] == "cleared":
        status += f", ship by {e['ship_by']}"
    tasks = ", ".join(t["type"] for t in e["tasks"])
    return (
        f"  +{e['follow_day']:<3} {e['on']}  {e['file'][:36]:<36} dose {e['number']:>2} "
        f"on {e['day']}: {status}"
        + (f"  [{'; '.join(notes)}]" if notes else "")
        + (f"  tasks: {tasks}" if tasks else "")
    )
