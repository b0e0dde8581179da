"""The main job: upload the sample referrals to the local stack, work the liaison tasks as a
liaison would (through the HTTP API), and summarize what happened to each referral."""

from __future__ import annotations

import itertools
import json
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from intake.core.ids import referral_id_for
from intake.models.records import FINAL_STATUSES
from intake_local.nurse import visit_body, visit_start
from intake_local.pharmacist import assessment_for
from intake_local.stack import LocalStack

CALL_TASKS = {
    "welcome_call",
    "cost_and_options_call",
    "scheduling_call",
    "dose_checkin_call",
    "pharmacist_assessment",
}
FIRST_CALLS = CALL_TASKS - {"pharmacist_assessment"}
"""What a run without a liaison waits for: the welcome call (the assessment call is queued
beside it, and is not what settles a run)."""
FIRST_INFUSION_IN_DAYS = 10
"""The auto-liaison books the first infusion this many days after the scheduling call."""
FINAL = frozenset(status.value for status in FINAL_STATUSES)
"""The documented final statuses (``ReferralStatus``/``FINAL_STATUSES``)."""
TERMINAL = FINAL | {"quarantined", "in_review", "linked"}
"""Where a run may leave a referral (``linked``: an update of another referral, which runs)."""
LIAISON = "auto-liaison@local"
VISITED = frozenset({"scheduled", "self_pay"})
"""Statuses whose workflow goes on to the nurse's first visit: under the auto-liaison a run
waits until it is documented (``referral_statuses(..., first_visit=True)`` reads them as
``<status>:first_visit_open`` until then)."""
Step = tuple[str, dict[str, Any] | None, str]


@dataclass
class RunResult:
    referrals: list[dict[str, Any]]
    figures: dict[str, Any] = field(default_factory=dict)


class LiaisonClient:
    """The liaison API as a liaison's tool would use it."""

    def __init__(self, base_url: str, liaison: str = LIAISON) -> None:
        self.base_url = base_url.rstrip("/")
        self.liaison = liaison
        self.http = requests.Session()
        # The local sign-in (no authorizer locally) names who calls; no role picked: the local
        # staff roles (intake.api.identity.LOCAL_DEFAULT_ROLES), as the CLI's tools need.
        self.http.headers.update({"x-intake-liaison": liaison})

    def tasks(self, **query: str) -> list[dict[str, Any]]:
        reply = self.http.get(f"{self.base_url}/tasks", params=query, timeout=30)
        reply.raise_for_status()
        return list(reply.json()["tasks"])

    def claim(self, task_id: str) -> requests.Response:
        return self.http.post(
            f"{self.base_url}/tasks/{task_id}/claim", json={"liaison": self.liaison}, timeout=30
        )

    def complete(
        self,
        task_id: str,
        outcome: str,
        note: str | None = None,
        corrections: dict[str, Any] | None = None,
        first_infusion_date: date | None = None,
    ) -> requests.Response:
        body = {
            "outcome": outcome,
            "note": note,
            "liaison": self.liaison,
            "corrections": corrections,
        }
        if first_infusion_date is not None:
            body["first_infusion_date"] = first_infusion_date.isoformat()
        return self.http.post(f"{self.base_url}/tasks/{task_id}/complete", json=body, timeout=30)

    def assess(
        self, task_id: str, assessment: dict[str, Any], note: str | None = None
    ) -> requests.Response:
        """Record the pharmacist's assessment on its task (completes the call as reached)."""
        body = {"assessment": assessment, "note": note, "liaison": self.liaison}
        return self.http.post(f"{self.base_url}/tasks/{task_id}/assessment", json=body, timeout=30)

    def document_visit(self, task_id: str, body: dict[str, Any]) -> requests.Response:
        """The nurse documents the visit of a ``first_visit`` task (completes it)."""
        return self.http.post(
            f"{self.base_url}/tasks/{task_id}/visit",
            json={**body, "liaison": self.liaison},
            timeout=30,
        )

    def referral(self, referral_id: str) -> dict[str, Any]:
        reply = self.http.get(f"{self.base_url}/referrals/{referral_id}", timeout=30)
        reply.raise_for_status()
        result: dict[str, Any] = reply.json()
        return result


def sample_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith((".", "_")) and p.suffix != ".md"
    )


def upload(
    stack: LocalStack, files: Iterable[Path], clinic: str = "lakeshore-gi"
) -> dict[str, Path]:
    """Upload each file under referrals/ as a clinic would; returns referral id → file."""
    assert stack.outputs is not None
    s3 = stack.client("s3")
    uploaded: dict[str, Path] = {}
    for path in files:
        body = path.read_bytes()
        s3.put_object(
            Bucket=stack.outputs.intake_bucket, Key=f"referrals/{clinic}/{path.name}", Body=body
        )
        uploaded[referral_id_for(body)] = path
    return uploaded


class LiaisonScripts:
    """What the auto-liaison does per sample (``events/referrals/_liaison.json``): per task
    type a list of steps, the Nth attempt of a call (or round of another task) taking step N."""

    def __init__(self, scripts: dict[str, Any], files: dict[str, str] | None = None) -> None:
        self.scripts = scripts
        self.files = files or {}
        """referral id → sample file name"""
        self.sent: set[str] = set()
        """records the clinic already sent (task id and file)"""
        self.held: set[str] = set()
        """referrals whose therapy the follower has held (``course_hold``)"""

    def course_hold(self, referral_id: str) -> dict[str, Any] | None:
        """The sample's ``course_hold`` (hold the therapy once dose N is cleared), if any."""
        script = self.scripts.get(self.files.get(referral_id, ""), {})
        hold: dict[str, Any] | None = script.get("course_hold")
        return hold

    def dose_visit(self, referral_id: str) -> dict[str, Any] | None:
        """The visit the auto-nurse documents for each later dose given (``dose_visit``)."""
        script = self.scripts.get(self.files.get(referral_id, ""), {})
        found: dict[str, Any] | None = script.get("dose_visit") or self.scripts.get(
            "default", {}
        ).get("dose_visit")
        return found

    @classmethod
    def load(cls, folder: Path, files: dict[str, str] | None = None) -> LiaisonScripts:
        path = folder / "_liaison.json"
        data = json.loads(path.read_text("utf-8")) if path.is_file() else {}
        return cls(data, files)

    def step(self, task: dict[str, Any]) -> Step | None:
        kind = task["task_type"]
        hold = self.course_hold(task["referral_id"])
        if kind == "dose_delivery" and hold and task["referral_id"] not in self.held:
            dose = int(task["task_id"].rsplit(".", 1)[-1]) // 100
            if dose >= int(hold["when_cleared"]):
                return None  # the pharmacist reviews before it ships (the follower holds)
        script = self.scripts.get(self.files.get(task["referral_id"], ""), {})
        steps = script.get(kind) or self.scripts.get("default", {}).get(kind)
        if not steps:
            return None
        n = (
            len(task.get("attempts") or [])
            if kind in CALL_TASKS
            else int(task["task_id"].rsplit(".", 1)[-1]) - 1
        )
        chosen = steps[min(n, len(steps) - 1)]
        if isinstance(chosen, dict) and chosen.get("visit"):
            return chosen["outcome"], {"visit": chosen["visit"]}, chosen.get("note") or ""
        if isinstance(chosen, dict) and chosen.get("clinic_sends"):
            return CLINIC_SENDS, {"file": chosen["clinic_sends"]}, chosen.get("note") or ""
        if isinstance(chosen, str):
            return chosen, None, "auto-liaison (local run)"
        return chosen["outcome"], chosen.get("corrections"), chosen.get("note") or "auto-liaison"


CLINIC_SENDS = "clinic_sends"
"""A scripted step where the clinic, not the liaison, acts: it uploads records."""


def liaison_decision(task: dict[str, Any], scripts: LiaisonScripts | None = None) -> Step | None:
    """What the auto-liaison does with a task: (outcome, corrections, note), or None to leave it.

    The sample's script decides calls and authorization tasks (see ``LiaisonScripts``). An
    insurance task whose payer knows the member under another name or date of birth is
    resolved with the payer's details (as a liaison would after confirming them with the
    patient); one the payer cannot find at all, or inactive coverage, is closed as unresolved.
    Review tasks need a person and stay open.
    """
    kind = task["task_type"]
    if kind == "verify_insurance":
        echo = task["details"].get("payer_echo") or {}
        mismatch = any("different" in r for r in task["details"].get("reasons", []))
        if mismatch and echo.get("first_name") and echo.get("dob"):
            corrections = {
                "patient.first_name": echo["first_name"].title(),
                "patient.last_name": echo.get("last_name", "").title() or None,
                "patient.date_of_birth": echo["dob"],
            }
            return (
                "resolved",
                {k: v for k, v in corrections.items() if v},
                "confirmed details with the patient",
            )
        return "rejected", None, "could not verify with the clinic (local run)"
    if kind == "coverage_inactive":
        return "rejected", None, "patient has no other coverage (local run)"
    return (scripts or LiaisonScripts({})).step(task)


def _ready(task: dict[str, Any], now: datetime | None = None) -> bool:
    """A call waiting on the clinic, or whose next attempt is not yet due, is left alone."""
    if task["status"] == "completed" or task.get("waiting_for"):
        return False
    later = task.get("next_attempt_at")
    return not later or _ts(later) <= (now or datetime.now(UTC))


def work_tasks(
    api: LiaisonClient,
    scripts: LiaisonScripts | None = None,
    now: datetime | None = None,
    clinic_sends: Callable[[str], None] | None = None,
) -> int:
    """Claim and complete the open tasks a liaison would; returns how many were completed.
    A reached scheduling call books the first infusion ``FIRST_INFUSION_IN_DAYS`` ahead of
    ``now`` (the local stack's clock, which ``--follow-course`` moves). A step where the clinic
    sends records (``clinic_sends``) uploads the file once and leaves the task to the linking
    path (the upload completes it)."""
    done = 0
    for task in api.tasks():
        decision = liaison_decision(task, scripts)
        if decision is None or not _ready(task, now):
            continue
        outcome, corrections, note = decision
        if outcome == CLINIC_SENDS:
            key = f"{task['task_id']}:{(corrections or {}).get('file')}"
            if clinic_sends is not None and scripts is not None and key not in scripts.sent:
                scripts.sent.add(key)
                clinic_sends(str((corrections or {})["file"]))
            continue
        first = None
        if task["task_type"] == "scheduling_call" and outcome == "reached":
            # A re-booked first visit (round 2 on) goes a week later each time.
            later = 7 * (int(task["task_id"].rsplit(".", 1)[-1]) - 1)
            first = (now or datetime.now(UTC)).date() + timedelta(
                days=FIRST_INFUSION_IN_DAYS + later
            )
        if api.claim(task["task_id"]).status_code != 200:
            continue
        if task["task_type"] == "pharmacist_assessment" and outcome == "reached":
            # The auto-pharmacist: the referral's own facts, the sample's answers laid over.
            view = _view(api, task["referral_id"]) or {}
            assessment = assessment_for(view.get("referral"), corrections)
            if api.assess(task["task_id"], assessment, note).status_code == 200:
                done += 1
        if task["task_type"] == "first_visit" and outcome == "documented":
            script = (corrections or {}).get("visit") or {}
            start = visit_start(task["details"], (now or datetime.now(UTC)).date())
            reply = api.document_visit(task["task_id"], visit_body(script, start))
            done += reply.status_code == 200
            continue
        reply = api.complete(task["task_id"], outcome, note, corrections, first_infusion_date=first)
        if reply.status_code == 200:
            done += 1
    return done


VIEW_EVERY_S = 2.0
"""A referral's whole view (record, timeline, tasks: three reads and a large answer) is read at
most this often while its settling depends on its tasks; its status alone is read each round."""


def referral_statuses(
    stack: LocalStack, ids: Iterable[str], *, first_visit: bool = False
) -> dict[str, str]:
    """The status of each referral that exists, read by key (``BatchGetItem``, 100 at a time):
    the harness's own read, one request a round for every referral it waits on, never a read of
    the whole view per referral (whose cost grows with every timeline event)."""
    assert stack.outputs is not None
    ddb = stack.client("dynamodb")
    table = stack.outputs.table_name
    found: dict[str, str] = {}
    wanted = list(ids)
    for chunk in (wanted[i : i + 100] for i in range(0, len(wanted), 100)):
        request: dict[str, Any] = {
            table: {
                "Keys": [{"pk": {"S": f"REFERRAL#{r}"}, "sk": {"S": "REFERRAL"}} for r in chunk],
                "ProjectionExpression": "pk, #s, first_visit",
                "ExpressionAttributeNames": {"#s": "status"},
            }
        }
        while request:
            page = ddb.batch_get_item(RequestItems=request)
            for item in page["Responses"].get(table, []):
                status = item["status"]["S"]
                visit = item.get("first_visit", {}).get("S")
                if first_visit and status in VISITED and visit != "documented":
                    status = f"{status}:first_visit_open"
                found[item["pk"]["S"].removeprefix("REFERRAL#")] = status
            request = page.get("UnprocessedKeys") or {}
    return found


def run(
    stack: LocalStack, files: list[Path], *, auto_liaison: bool = True, timeout_s: float = 180
) -> RunResult:
    """Upload ``files`` and work their tasks until every referral settles or ``timeout_s``
    passes. Each round reads the open-task index once and the unsettled referrals' statuses in
    one batch; a referral's whole view is read only where its tasks decide (a linked update, or
    a run without a liaison), at most every ``VIEW_EVERY_S``."""
    assert stack.outputs is not None
    api = LiaisonClient(stack.outputs.api_url)
    started = time.monotonic()
    uploaded = upload(stack, files)
    folder = files[0].parent if files else Path(".")
    scripts = LiaisonScripts.load(folder, {rid: path.name for rid, path in uploaded.items()})
    unsettled = set(uploaded)
    viewed: dict[str, float] = {}
    while unsettled and time.monotonic() - started < timeout_s:
        if auto_liaison:
            work_tasks(api, scripts, clinic_sends=lambda name: _clinic_sends(stack, folder / name))
        try:
            statuses = referral_statuses(stack, sorted(unsettled), first_visit=auto_liaison)
        except Exception:  # a loaded machine: look again next round
            statuses = {}
        for rid, status in statuses.items():
            if status in TERMINAL and status != "linked":
                unsettled.discard(rid)
            elif (status == "linked" or not auto_liaison) and (
                time.monotonic() - viewed.get(rid, 0.0) >= VIEW_EVERY_S
            ):
                viewed[rid] = time.monotonic()
                if _settled(_view(api, rid), auto_liaison):
                    unsettled.discard(rid)
        time.sleep(0.5)
    referrals = [_summary(uploaded[rid], _view(api, rid)) for rid in uploaded]
    return RunResult(referrals=referrals, figures=_figures(referrals, time.monotonic() - started))


def _clinic_sends(stack: LocalStack, path: Path) -> None:
    """The clinic uploads the records asked for (an updated referral for the same patient)."""
    upload(stack, [path])


def default_timeout(files: int) -> float:
    """Long enough for the slowest path (an appeal waits on the payer's poller, calls retry
    seconds apart locally) with room for a loaded machine: 120 s plus 15 s a referral."""
    return 120.0 + 15.0 * files


def unfinished(result: RunResult, auto_liaison: bool = True) -> list[dict[str, Any]]:
    """The referrals that did not end where a run should leave them, and why: not ingested,
    failed (with its workflow-error task's reason), or still running (its stage)."""
    out = []
    for r in result.referrals:
        done = r["status"] in TERMINAL and r["status"] != "failed"
        if not auto_liaison and r["status"] == "in_progress":
            done = any(t["type"] in FIRST_CALLS for t in r["tasks"])
        if done:
            continue
        errors = [t for t in r["tasks"] if t["type"] == "workflow_error"]
        why = (
            (errors[-1].get("reason") or "see the workflow_error task")
            if errors
            else r.get("stage") or "not ingested before the run ended"
        )
        out.append({"file": r["file"], "status": r["status"], "why": why})
    return out


def _view(api: LiaisonClient, referral_id: str) -> dict[str, Any] | None:
    try:
        return api.referral(referral_id)
    except requests.HTTPError:
        return None  # not ingested yet


def _settled(view: dict[str, Any] | None, auto_liaison: bool) -> bool:
    if view is None:
        return False
    if view["status"] == "linked":  # settled once the liaison has decided its task
        return not auto_liaison or all(
            t["status"] in ("completed", "cancelled") for t in view["tasks"]
        )
    if view["status"] in TERMINAL:
        return True
    if auto_liaison:
        return False
    # Without a liaison the workflow waits on its first call: settled once that is queued.
    return any(t["task_type"] in FIRST_CALLS for t in view["tasks"])


def _summary(path: Path, view: dict[str, Any] | None) -> dict[str, Any]:
    if view is None:
        return {
            "referral_id": None,
            "file": path.name,
            "status": "not_ingested",
            "tasks": [],
            "timeline": [],
        }
    timeline = [
        {"at": e["at"], "event": e["event"], "detail": e.get("detail", {})}
        for e in view["timeline"]
    ]
    steps = []
    for before, after in itertools.pairwise(timeline):
        steps.append(
            {
                "step": f"{before['event']} → {after['event']}",
                "seconds": round((_ts(after["at"]) - _ts(before["at"])).total_seconds(), 3),
            }
        )
    uploaded = next((_ts(e["at"]) for e in timeline if e["event"] == "uploaded"), None)
    queued = next(
        (
            _ts(e["at"])
            for e in timeline
            if e["event"] == "task_queued" and e["detail"].get("task_type") == "welcome_call"
        ),
        None,
    )
    return {
        "referral_id": view["referral_id"],
        "file": path.name,
        "status": view["status"],
        "stage": view["stage"],
        "uploaded_at": view["uploaded_at"],
        "language": (view.get("referral") or {}).get("patient", {}).get("preferred_language"),
        "problems": view["problems"],
        "quarantine_key": view["quarantine_key"],
        "benefits": view.get("benefits"),
        "estimate": view.get("estimate"),
        "prior_auth": view.get("prior_auth"),
        "tasks": [
            {
                "task_id": t["task_id"],
                "type": t["task_type"],
                "status": t["status"],
                "outcome": t["outcome"],
                "due_at": t["due_at"],
                "escalations": t["escalations"],
                "attempts": [{"at": a["at"], "outcome": a["outcome"]} for a in t["attempts"]],
                "reason": _why(t),
            }
            for t in view["tasks"]
        ],
        "timeline": timeline,
        "steps": steps,
        "upload_to_welcome_call_queued_s": (
            round((queued - uploaded).total_seconds(), 3) if queued and uploaded else None
        ),
    }


def _why(task: dict[str, Any]) -> str | None:
    """A workflow-error task's reason in words (never a value from the referral)."""
    if task["task_type"] != "workflow_error":
        return None
    details = task.get("details") or {}
    return str(details.get("reason") or details.get("error") or task.get("reason") or "")


def _figures(referrals: list[dict[str, Any]], wall_s: float) -> dict[str, Any]:
    queued = [
        r["upload_to_welcome_call_queued_s"]
        for r in referrals
        if r.get("upload_to_welcome_call_queued_s") is not None
    ]
    return {
        "referrals": len(referrals),
        "wall_seconds": round(wall_s, 2),
        "median_upload_to_welcome_call_queued_s": round(statistics.median(queued), 3)
        if queued
        else None,
        "max_upload_to_welcome_call_queued_s": round(max(queued), 3) if queued else None,
    }


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def render(result: RunResult) -> str:
    """A readable summary per referral."""
    lines: list[str] = []
    for r in result.referrals:
        lines.append(f"━━ {r['file']}  →  {r['referral_id']}")
        lines.append(f"   status: {r['status']}  ({r.get('stage', '')})")
        for problem in r.get("problems") or []:
            lines.append(f"   problem: {problem}")
        if r.get("quarantine_key"):
            lines.append(f"   quarantined at: {r['quarantine_key']}")
        if r.get("benefits"):
            b = r["benefits"]
            lines.append(f"   benefits: {b.get('status')} — {b.get('headline', '')}")
        if r.get("estimate"):
            e = r["estimate"]
            years = "; ".join(
                f"{y['start'][:4]}: ${y['patient']} for {y['infusions']}"
                for y in e.get("plan_years") or []
            )
            lines.append(
                f"   estimate v{e['version']}: ${e['per_infusion_patient']} first infusion, "
                f"${e['course_patient']} for the course of {e['course_infusions']} "
                f"infusion{'s' if e['course_infusions'] != 1 else ''}"
                f"{f' ({years})' if years else ''}"
                f"{' (assistance recommended)' if e['assistance_recommended'] else ''}, {e['confidence']} confidence"
            )
        if r.get("prior_auth"):
            pa = r["prior_auth"]
            if not pa.get("required"):
                lines.append("   prior auth: not required")
            else:
                cert = f" #{pa['certification_number']}" if pa.get("certification_number") else ""
                period = (
                    f" {pa['effective_from']} to {pa['effective_to']}"
                    if pa.get("effective_from")
                    else ""
                )
                reason = (
                    f" ({pa['reason']})" if pa.get("reason") and pa["status"] != "certified" else ""
                )
                lines.append(f"   prior auth: {pa['status']}{cert}{period}{reason}")
                if (pa.get("packet") or {}).get("pdf"):
                    lines.append(f"     packet: {pa['packet']['pdf'].rsplit('/', 1)[0]}/")
                if pa.get("records_request") and pa.get("status") == "records_requested":
                    lines.append(f"     records asked of the clinic: {pa['records_request']}")
                items = (pa.get("evidence") or {}).get("items") or []
                if items:
                    met = sum(i["status"] == "met" for i in items)
                    waived = (pa.get("evidence_waiver") or {}).get("items") or []
                    lines.append(
                        f"     evidence: {met} of {len(items)} criteria met"
                        + (f"; filed without {', '.join(waived)}" if waived else "")
                    )
                if pa.get("appeal"):
                    lines.append(f"     appeal: {pa['appeal']}")
        for t in r["tasks"]:
            outcome = f" → {t['outcome']}" if t["outcome"] else ""
            tries = ", ".join(a["outcome"] for a in t.get("attempts") or [])
            attempts = f"  (attempts: {tries})" if tries else ""
            lines.append(f"   task: {t['type']:<22} {t['status']:<10}{outcome}{attempts}")
        lines.append("   timeline:")
        for e, step in zip(r["timeline"], [None, *r.get("steps", [])], strict=False):
            delta = f"  (+{step['seconds']:.3f}s)" if step else ""
            lines.append(f"     {e['at'][11:23]}  {e['event']}{delta}")
    f = result.figures
    late = unfinished(result)
    if late:
        lines.append("")
        lines.append(f"{len(late)} referral{'s' if len(late) != 1 else ''} did not finish:")
        lines.extend(f"   {u['file']}: {u['status']} ({u['why']})" for u in late)
    lines.append("")
    lines.append(
        f"{f['referrals']} referrals in {f['wall_seconds']} s; median upload → welcome call queued: "
        f"{f['median_upload_to_welcome_call_queued_s']} s (max {f['max_upload_to_welcome_call_queued_s']} s)"
    )
    return "\n".join(lines)
