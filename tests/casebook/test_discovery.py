"""The discovery case book (``discovery.yaml``, issue 26): insurance discovery as the reviewers
read X12's RFIs on the 005010X279A1 search options, the AAA codes and CMS's MBI format.

Each case runs the discovery the benefits check uses (``intake.discovery``): payers are the
case's own (a ``LikelyPayers`` in the case's order), and each 270 is answered by a scripted
payer that writes the case's reply as a real 271 (``build_271``) read back by the same
``interpret_271`` the service uses. The values asserted are the case's ``expected``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from intake.clearinghouse import ClearinghouseReply
from intake.discovery.ports import PayerCandidate
from intake.discovery.rules import aaa_meaning, is_mbi, normalize_mbi
from intake.discovery.service import CoverageDiscovery, demographic_inquiry
from intake.eligibility.service import BenefitsCheck
from intake.models.discovery import DiscoveryReason, DiscoveryState, InquiryAnswer
from intake.models.referral import Referral
from intake.x12.t270 import build_270, read_270
from intake.x12.t271.build import Answer271, BenefitSpec, MemberEcho, RejectionSpec, build_271
from tests.casebook.book import Case, params
from tests.conftest import EVENTS
from tests.unit.discovery.fakes import REFERRAL_ID, RecordStore, Store

FILE = "discovery.yaml"
CLASS_OF = {
    InquiryAnswer.NOT_FOUND: "next_payer",
    InquiryAnswer.SEARCH_UNSUPPORTED: "next_payer",
    InquiryAnswer.PAYER_SETUP: "next_payer",
    InquiryAnswer.FIX_REQUEST: "fix_request",
    InquiryAnswer.AMBIGUOUS: "fix_request",  # a person adds details; never pick one
    InquiryAnswer.RETRY_LATER: "retry_later",
}
"""The case book's three AAA classes over discovery's answers (intake/data/discovery.json)."""


def elena(**changes: Any) -> Referral:
    """The case book's patient: GARCIA, ELENA, 1961-04-09, F, 1200 Elm St, Austin TX 78701."""
    data = json.loads((EVENTS / "referrals" / "51-no-insurance-not-found.json").read_text())
    data["patient"] = {
        **data["patient"],
        "first_name": "Elena",
        "last_name": "Garcia",
        "date_of_birth": "1961-04-09",
        "sex": "F",
        "address": {
            "line1": "1200 Elm St",
            "city": "Austin",
            "state": "TX",
            "postal_code": "78701",
        },
        **changes,
    }
    return Referral.model_validate(data)


class CasePayers:
    def __init__(self, names: list[str]) -> None:
        self.names = names

    def likely_payers(self, state: str | None, limit: int) -> list[PayerCandidate]:
        return [PayerCandidate(n, n, None, None, i + 1) for i, n in enumerate(self.names)][:limit]


def _reply(text: str) -> dict[str, Any]:
    """A case's reply as what a 271 carries: an AAA, or the member's NM1/DTP/EB segments."""
    segments = [s.split("*") for s in text.replace("\n", "").split("~") if s.strip()]
    out: dict[str, Any] = {}
    for seg in segments:
        seg[0] = seg[0].strip().split(" ")[0]
        if seg[0] == "AAA":
            out["aaa"] = (seg[3], seg[4].split(" ")[0], seg[1] == "Y")
        elif seg[0] == "NM1" and len(seg) > 9:
            out["member_id"] = seg[9]
        elif seg[0] == "DTP" and seg[1] in ("346", "291"):
            out["begin"] = date.fromisoformat(f"{seg[3][:4]}-{seg[3][4:6]}-{seg[3][6:8]}")
        elif seg[0] == "EB":
            out["eb"] = BenefitSpec(
                code=seg[1],
                service_types=(seg[3],),
                insurance_type=seg[4] if len(seg) > 4 else "",
                plan_description=seg[5] if len(seg) > 5 else "",
            )
    return out


class ScriptedPayers:
    """Answers each 270 with the case's reply for that payer (and attempt, when it has several)."""

    def __init__(self, replies: dict[str, list[str]]) -> None:
        self.replies = replies
        self.sent: list[str] = []

    @property
    def asked(self) -> list[str]:
        return [read_270(x)[0].payer.id for x in self.sent]

    def check_eligibility(self, x12_270: str, *, correlation_id: str) -> ClearinghouseReply:
        self.sent.append(x12_270)
        q = read_270(x12_270)[0]
        answers = self.replies[q.payer.id]
        reply = _reply(answers[min(self.asked.count(q.payer.id), len(answers)) - 1])
        person = q.subscriber
        echo = MemberEcho(
            person.entity.first_name,
            person.entity.last_or_org_name,
            person.dob,
            person.sex,
            reply.get("member_id", ""),
        )
        if "aaa" in reply:
            code, follow_up, valid = reply["aaa"]
            answer = Answer271(q, rejections=(RejectionSpec("2100C", code, follow_up, valid),))
        else:
            answer = Answer271(
                q,
                benefits=(reply["eb"],),
                subscriber=echo,
                plan_begin=reply.get("begin"),
            )
        return ClearinghouseReply(
            x12=build_271(answer),
            payload_id=f"p{len(self.sent)}",
            payload_type="X12_271_Response_005010X279A1",
            attempts=1,
            elapsed_ms=0,
        )


def search(
    names: list[str], replies: dict[str, list[str]], budget: int, referral: Referral | None = None
) -> tuple[ScriptedPayers, Any]:
    gateway = ScriptedPayers(replies)
    found = CoverageDiscovery(
        Store(),  # type: ignore[arg-type]
        gateway,  # type: ignore[arg-type]
        CasePayers(names),
        "Sample Home Infusion",
        "1234567893",
        budget=budget,
    ).search(REFERRAL_ID, referral or elena(), None, DiscoveryReason.NO_INSURANCE)
    return gateway, found


def searched_as_expected(case: Case) -> tuple[Any, Any]:
    """The case's payers, replies and budget searched: the payers asked in the case's order
    and the paid inquiries used are the case's; the record and the expectations returned."""
    names = case.input["likely_payers_in_directory_order"]
    replies = {k: [v] for k, v in case.input["responses"].items()}
    gateway, searched = search(names, replies, case.input["budget_paid_inquiries"])
    assert gateway.asked == case.expected["asked_in_order"]
    assert searched.spent == case.expected["inquiries_used"]
    return searched, case.expected


@pytest.mark.parametrize("case", params(FILE, ids={"disc-270-demographic-search-elements"}))
def test_the_demographic_270_carries_the_search_option_and_no_member_id(case: Case) -> None:
    """Given no member id, When discovery writes the 270, Then 2100C holds the name, DOB,
    gender and address (the Name/Date of Birth option plus matching data) and no NM108/NM109."""
    candidate = PayerCandidate("PAYER-A", "PAYER-A", None, None, 1)
    text = build_270(
        demographic_inquiry(elena(), candidate, "Sample", "1234567893", "T-1", date(2026, 12, 7))
    )
    for segment in case.expected["example_segments"]:
        assert segment in text
    subscriber = read_270(text)[0].subscriber
    assert subscriber.entity.id_qualifier == "" and subscriber.entity.id == ""


@pytest.mark.parametrize("case", params(FILE, ids={"disc-aaa-codes-next-payer-vs-fix-request"}))
def test_each_aaa_code_on_a_demographic_270_is_next_payer_fix_request_or_retry(
    case: Case,
) -> None:
    """Given each of the case's AAA replies to a demographic 270, Then discovery classes it as
    the case does: 75 and 72 (this payer cannot search by name) go to the next payer; 71, 73,
    58, 74 and 76 need the request fixed (never another payer on a guess); 42 is retried."""
    for code, want in case.expected.items():
        if code == "must_not":
            continue
        assert CLASS_OF[aaa_meaning(code, demographic=True)] == want["aaa_class"], code
    # And in a search: a fix_request stops it at that payer, a next_payer moves on
    _, stopped = search(["PAYER-A", "PAYER-B"], {"PAYER-A": ["AAA*N**71*C~"]}, 3)
    assert [i.payer_id for i in stopped.inquiries] == ["PAYER-A"]
    _, moved = search(
        ["PAYER-A", "PAYER-B"], {"PAYER-A": ["AAA*N**72*C~"], "PAYER-B": ["AAA*N**75*C~"]}, 3
    )
    assert [i.payer_id for i in moved.inquiries] == ["PAYER-A", "PAYER-B"]


@pytest.mark.parametrize(
    "case", params(FILE, ids={"disc-budget-stops-nothing-found-task-lists-tried"})
)
def test_the_budget_stops_the_search_and_the_record_lists_what_was_tried(case: Case) -> None:
    """Budget 3: A (1), B (2), C (3); D would have found coverage but is over budget."""
    searched, expected = searched_as_expected(case)
    assert searched.state is DiscoveryState.NOT_FOUND and searched.budget_exhausted
    tried = {t["payer"]: t["result"] for t in expected["task"]["tried"]}
    assert [i.payer_id for i in searched.inquiries] == list(tried)
    for inquiry in searched.inquiries:
        assert f"AAA {inquiry.aaa[0]}" in tried[inquiry.payer_id]
    assert searched.not_tried == expected["task"]["not_tried"]


@pytest.mark.parametrize(
    "case", params(FILE, ids={"disc-budget-found-at-second-payer-stop-and-confirm"})
)
def test_a_coverage_found_stops_the_search_and_waits_for_the_patient(case: Case) -> None:
    """A (1) not found; B (2) active -> stop, unconfirmed, the plan and its begin on the call.

    The confirm task's line names payer, plan and plan begin; the member id is kept on the
    referral's discovery record (shown on the referral page), not in the task's details, which
    pass through Step Functions' history (docs/design.md: executions carry ids and outcomes)."""
    searched, expected = searched_as_expected(case)
    assert searched.state is DiscoveryState.FOUND  # unconfirmed: not the referral's insurance
    found = searched.found
    coverage = expected["coverage"]
    assert (found.payer_id, found.member_id, found.plan) == (
        coverage["payer"],
        coverage["member_id"],
        coverage["plan"],
    )
    assert found.plan_begin == date(2027, 1, 1)


class ConfirmStore(RecordStore):
    """The referral with a discovery record, and its completed confirm_coverage task."""

    def __init__(self, referral: Referral, discovery: Any, task: Any) -> None:
        super().__init__(referral)
        self.fields["discovery"] = discovery
        self.task = task

    def get_task(self, task_id: str) -> Any:
        return self.task


@pytest.mark.parametrize("case", params(FILE, ids={"disc-patient-denies-found-coverage"}))
def test_a_coverage_the_patient_denies_is_not_used_and_their_own_becomes_the_lead(
    case: Case,
) -> None:
    """Given PAYER-B found and the patient saying it is an old job and she has Medicaid now,
    When the liaison records not_confirmed with the Medicaid card she gives, Then PAYER-B is
    rejected (never used) and the Medicaid card is what the benefits check asks about."""
    from datetime import UTC, datetime

    from intake.models.discovery import DiscoveryRecord, FoundCoverage
    from intake.models.records import TaskRecord

    now = datetime(2026, 12, 7, tzinfo=UTC)
    found = case.input["found"]
    discovery = DiscoveryRecord(
        reason=DiscoveryReason.NO_INSURANCE,
        state=DiscoveryState.FOUND,
        budget=3,
        spent=2,
        found=FoundCoverage(
            payer_id=found["payer"], payer_name=found["payer"], member_id=found["member_id"]
        ),
    )
    medicaid = {
        "insurance.payer_name": "SANDBOX STATE MEDICAID",
        "insurance.payer_id": "SBX04",
        "insurance.member_id": "SBC000000999",
    }
    task = TaskRecord.model_validate(
        {
            "task_id": f"{REFERRAL_ID}.confirm_coverage.1",
            "referral_id": REFERRAL_ID,
            "task_type": "confirm_coverage",
            "status": "completed",
            "outcome": "not_confirmed",
            "due_at": now,
            "created_at": now,
            "reason": "confirm",
            "corrections": medicaid,
            "details": {
                "confirm": "confirm coverage found: PAYER-B, plan not named",
                "payer_id": "PAYER-B",
                "payer_name": "PAYER-B",
                "found_by": "demographic 270",
            },
        }
    )
    store = ConfirmStore(elena(), discovery, task)
    asked = ScriptedPayers({"SBX04": ["AAA*Y**75*C~"]})
    check = BenefitsCheck(store, asked, "Sample", "1234567893", clock=lambda: now)  # type: ignore[arg-type]
    check.run(REFERRAL_ID, 2, medicaid, task_id=task.task_id)
    assert store.fields["discovery"]["rejected"] == [found["payer"]]  # rejected_by_patient
    assert asked.asked == ["SBX04"]  # the patient's Medicaid is the lead; PAYER-B never used
    assert store.fields["referral"]["insurance"]["member_id"] == "SBC000000999"


@pytest.mark.parametrize("case", params(FILE, ids={"disc-aaa-73-fix-name-not-next-payer"}))
def test_a_name_the_payer_rejects_is_resent_to_it_spelt_as_it_may_hold_it(case: Case) -> None:
    """Attempt 1 (suffix already in NM107) -> 73; attempt 2 at the same payer with the hyphen
    as a space -> active; PAYER-B never asked."""
    replies: dict[str, list[str]] = {}
    for attempt in case.input["responses_by_attempt"]:
        replies.setdefault(attempt["payer"], []).append(attempt["reply"])
    referral = elena(first_name="Robert", last_name="Smith-Jones Jr.", sex="M")
    gateway, searched = search(
        case.input["likely_payers_in_directory_order"],
        replies,
        case.input["budget_paid_inquiries"],
        referral,
    )
    assert gateway.asked == ["PAYER-A", "PAYER-A"]
    assert searched.spent == case.expected["inquiries_used"]
    assert (
        searched.found is not None and searched.found.payer_id == case.expected["coverage"]["payer"]
    )
    variant = case.expected["name_variant_used"]
    second = read_270(gateway.sent[1])[0].subscriber.entity
    assert (second.last_or_org_name, second.suffix) == (variant["last"], variant["suffix_NM107"])
    assert all("JR" not in read_270(x)[0].subscriber.entity.last_or_org_name for x in gateway.sent)


@pytest.mark.parametrize("case", params(FILE, ids={"disc-mbi-format-valid-and-invalid"}))
def test_mbi_format_follows_cms(case: Case) -> None:
    for candidate in case.input["candidates"]:
        want = case.expected[candidate]
        assert is_mbi(candidate) is want["valid"], candidate
        if "normalized" in want:
            assert normalize_mbi(candidate) == want["normalized"]


@pytest.mark.parametrize("case", params(FILE, ids={"disc-medicare-hets-needs-mbi"}))
def test_no_270_goes_to_medicare_without_an_mbi(case: Case) -> None:
    """Given Original Medicare among the payers and no MBI lookup offered, Then no 270 is sent
    to it (HETS needs the MBI) and the record says why."""
    gateway = ScriptedPayers({})
    searched = CoverageDiscovery(
        Store(),  # type: ignore[arg-type]
        gateway,  # type: ignore[arg-type]
        type(
            "Medicare",
            (),
            {
                "likely_payers": lambda self, s, n: [
                    PayerCandidate("MEDICARE", "CMS", "original_medicare", True, 1)
                ]
            },
        )(),
        "Sample",
        "1234567893",
        budget=3,
    ).search(REFERRAL_ID, elena(), None, DiscoveryReason.NO_INSURANCE)
    assert case.expected["hets_270_sent"] is False and gateway.sent == []
    assert "MBI" in (searched.inquiries[0].note or "")


@pytest.mark.xfail(
    strict=True,
    reason="a referral cannot say 'Medicare' without a member id (Insurance needs payer id and "
    "member id), so discovery cannot know to ask for the MBI before any commercial payer",
)
@pytest.mark.parametrize("case", params(FILE, ids={"disc-medicare-hets-needs-mbi"}))
def test_a_referral_that_says_medicare_spends_no_budget_on_commercial_payers(case: Case) -> None:
    data = json.loads((EVENTS / "referrals" / "51-no-insurance-not-found.json").read_text())
    data["insurance"] = {"payer_name": "Medicare", "payer_id": "CMS"}
    Referral.model_validate(data)


@pytest.mark.xfail(
    strict=True,
    reason="reading a HETS 271's Medicare Advantage enrolment (EB R / 2120) and routing "
    "discovery to that plan's payer id needs the payer directory's name lookup (issue 26 "
    "item 1); not built here",
)
@pytest.mark.parametrize(
    "case", params(FILE, ids={"disc-medicare-advantage-found-via-hets-not-original-medicare"})
)
def test_a_medicare_advantage_plan_named_by_hets_is_the_payer_discovery_asks(case: Case) -> None:
    from intake.discovery import routing  # type: ignore[attr-defined]  # noqa: F401
