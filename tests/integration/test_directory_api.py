"""The payer directory's API routes against moto: upload (pharmacist or supervisor only),
versions, rollback, export, search and one payer."""

from __future__ import annotations

from typing import Any

from intake.directory.store import shipped_files
from tests.integration.conftest import IntakeResources
from tests.integration.test_tasks_and_api import api, handlers

__all__ = ["handlers"]


def _claims(role: str) -> dict[str, str]:
    return {"sub": f"u-{role}", "email": f"{role}@pharmacy.example", "cognito:groups": f"[{role}]"}


def _files(**changes: tuple[str, str]) -> dict[str, str]:
    files = {name: data.decode() for name, data in shipped_files().items()}
    for name, (old, new) in changes.items():
        files[f"{name}.csv"] = files[f"{name}.csv"].replace(old, new, 1)
    return files


def test_a_pharmacist_uploads_lists_rolls_back_and_exports(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any
) -> None:
    """Given the sandbox directory's files
    When a pharmacist uploads them, a supervisor uploads a change, and the pharmacist rolls
    back to the first and exports
    Then each upload is a version recorded with who uploaded it, the rollback makes the first
    current, and the export is the files uploaded, because the CSV files are the source of
    truth and an upload must be undoable."""
    handler = handlers["liaison_api"]
    pharmacist, supervisor = _claims("pharmacist"), _claims("supervisor")

    status, first = api(
        handler,
        lambda_context,
        "POST",
        "/directory/imports",
        body={"files": _files()},
        claims=pharmacist,
    )
    assert status == 201 and first["version"] == "v0001", first
    assert first["imported_by"] == "u-pharmacist"
    changed = _files(contracts=("SBX05,,no,", "SBX05,,yes,"))
    status, second = api(
        handler,
        lambda_context,
        "POST",
        "/directory/imports",
        body={"files": changed},
        claims=supervisor,
    )
    assert status == 201 and second["version"] == "v0002"

    status, rolled = api(
        handler,
        lambda_context,
        "POST",
        "/directory/rollback",
        body={"version": "v0001"},
        claims=pharmacist,
    )
    assert (status, rolled) == (200, {"current": "v0001", "replaced": "v0002"})
    status, listed = api(handler, lambda_context, "GET", "/directory/versions", claims=pharmacist)
    assert listed["current"] == "v0001" and len(listed["versions"]) == 2
    status, exported = api(handler, lambda_context, "GET", "/directory/export", claims=pharmacist)
    assert status == 200 and exported["files"] == _files()


def test_bad_rows_come_back_named_and_nothing_is_applied(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any
) -> None:
    """Given files with a payer whose plan type is not one of the list
    When a pharmacist uploads them
    Then the answer is 422 naming file, line and reason, and no version exists."""
    handler = handlers["liaison_api"]
    bad = _files(
        payers=(
            "SBX03,SANDBOX MEDICARE ADVANTAGE,medicare_advantage",
            "SBX03,SANDBOX MEDICARE ADVANTAGE,medicare",
        )
    )

    status, body = api(
        handler,
        lambda_context,
        "POST",
        "/directory/imports",
        body={"files": bad},
        claims=_claims("pharmacist"),
    )

    assert status == 422 and body["error"] == "invalid_directory"
    assert [(p["file"], p["line"]) for p in body["problems"]] == [("payers.csv", 4)]
    listed = api(handler, lambda_context, "GET", "/directory/versions", claims=_claims("liaison"))
    assert listed[1] == {"current": "shipped", "versions": []}


def test_a_liaison_may_search_but_not_upload(
    resources: IntakeResources, handlers: dict[str, Any], lambda_context: Any
) -> None:
    """Given the shipped directory (no upload yet)
    When a liaison searches by an alias and by an ambiguous word, reads a payer, and tries to
    upload
    Then the alias finds its payer, the word gives candidates, and the upload is refused,
    because editing the directory is the pharmacist's or the supervisor's."""
    handler = handlers["liaison_api"]
    liaison = _claims("liaison")

    found = api(
        handler,
        lambda_context,
        "GET",
        "/directory/payers",
        query={"q": "Sandbox Health PPO"},
        claims=liaison,
    )[1]
    vague = api(
        handler, lambda_context, "GET", "/directory/payers", query={"q": "Sandbox"}, claims=liaison
    )[1]
    payer = api(handler, lambda_context, "GET", "/directory/payers/SBX02", claims=liaison)
    refused = api(
        handler,
        lambda_context,
        "POST",
        "/directory/imports",
        body={"files": _files()},
        claims=liaison,
    )

    assert (found["status"], [p["payer_id"] for p in found["payers"]]) == ("resolved", ["SBX01"])
    assert vague["status"] == "ambiguous" and len(vague["payers"]) == 8
    assert payer[0] == 200 and payer[1]["pbm"] == "SBXRX"
    assert refused[0] == 403
