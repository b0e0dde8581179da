"""`intake tasks` and `intake search` as a person uses them: tables, plain errors, exit codes.

The API side is a small HTTP server on loopback answering in the liaison API's shapes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from intake_local.cli import main
from intake_local.tasks_cli import task_table

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def task(n: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "task_id": f"ref-{n:020d}.welcome_call.1",
        "task_type": "welcome_call",
        "status": "open",
        "due_at": (NOW + timedelta(hours=n)).isoformat(),
        "overdue": False,
        "escalations": 0,
        "attempts": [],
        "claimed_by": None,
        "patient": {"first_name": "Ana", "last_name": "Ruiz", "preferred_language": "es"},
    }
    data.update(changes)
    return data


class FakeApi(BaseHTTPRequestHandler):
    tasks: list[dict[str, Any]] = []
    seen: list[tuple[str, str, dict[str, str]]] = []

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.seen.append(("GET", self.path, dict(self.headers)))
        if self.path.startswith("/tasks"):
            self._reply(200, {"tasks": self.tasks, "count": len(self.tasks)})
        else:
            self._reply(404, {"error": "not_found", "message": "no such route"})

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        self.seen.append(("POST", self.path, dict(self.headers)))
        self._reply(409, {"error": "conflict", "message": "claimed by alice"})

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def fake_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeApi.tasks, FakeApi.seen = [], []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_table_shows_due_time_status_flags_and_id_one_line_per_task() -> None:
    # Given an overdue escalated call claimed by me (due 2 h ago) and an open one due in 3 h
    tasks = [
        task(-2, overdue=True, escalations=2, claimed_by="rosa", status="claimed"),
        task(3, attempts=[{"at": NOW.isoformat(), "outcome": "voicemail"}]),
    ]
    # When rendered for rosa
    lines = task_table(tasks, "rosa", NOW).splitlines()
    # Then a header and one line each, with the age, who holds it, and the flags
    assert lines[0].split() == ["DUE", "TYPE", "STATUS", "PATIENT", "LANG", "FLAGS", "TASK"]
    assert lines[1].startswith("2h ago") and "claimed:me" in lines[1]
    assert "OVERDUE escalated 2" in lines[1]
    assert lines[2].startswith("in 3h") and "tries 1" in lines[2] and "Ana Ruiz" in lines[2]


def test_list_prints_a_table_and_json_on_request(
    fake_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    FakeApi.tasks = [task(1), task(2, claimed_by="li", status="claimed")]
    assert main(["tasks", "--api", fake_api, "--liaison", "li", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("DUE") and out.endswith("2 task(s); 0 overdue\n")
    # --status mine asks for claimed tasks and keeps mine only
    assert (
        main(["tasks", "--api", fake_api, "--liaison", "li", "list", "--status", "mine", "--json"])
        == 0
    )
    mine = json.loads(capsys.readouterr().out)
    assert [t["claimed_by"] for t in mine] == ["li"]
    assert FakeApi.seen[-1][1] == "/tasks?status=claimed"
    assert FakeApi.seen[-1][2]["x-intake-liaison"] == "li"


def test_an_api_refusal_is_one_plain_line_and_exit_2(
    fake_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["tasks", "--api", fake_api, "complete", "ref-x.welcome_call.1", "reached"])
    assert code == 2
    assert capsys.readouterr().err == "intake: 409: claimed by alice\n"


def test_bad_corrections_json_is_named_without_a_traceback(
    fake_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["tasks", "--api", fake_api, "complete", "t", "resolved", "--corrections", "{'a': 1}"]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("intake: --corrections is not JSON: ")
    assert "Traceback" not in err and FakeApi.seen == []  # nothing was sent
    assert (
        main(["tasks", "--api", fake_api, "complete", "t", "resolved", "--corrections", "[1]"]) == 2
    )
    assert "must be a JSON object" in capsys.readouterr().err


def test_an_unreachable_api_is_exit_3_with_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    # Port 9 (discard) on loopback: nothing listens there
    assert main(["tasks", "--api", "http://127.0.0.1:9", "list"]) == 3
    assert "cannot be reached" in capsys.readouterr().err


def test_search_needs_a_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--api", "http://127.0.0.1:9", "--last-name", "Ruiz"]) == 2
    assert "--last-name and --dob" in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly(fake_api: str) -> None:
    # Given 3 000 tasks (a table far longer than a pipe buffer) read by a reader that stops at once
    FakeApi.tasks = [task(n) for n in range(3000)]
    code = "import sys; from intake_local.cli import main; sys.exit(main(sys.argv[1:]))"
    with subprocess.Popen(
        [sys.executable, "-c", code, "tasks", "--api", fake_api, "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        proc.wait(timeout=60)
    # Then the first line arrived, and the command stopped without a traceback
    assert first.startswith(b"DUE")
    assert b"Traceback" not in err and proc.returncode == 141
