"""The search: demographic 270s in the payers' order, under the budget, idempotent, and what it
records; the sandbox payer answers (its roster: Lucia Ferreira is an SBX02 member, sample 50)."""

from __future__ import annotations

from datetime import UTC, datetime

from intake.discovery.ports import PayerCandidate, PersonSearch
from intake.discovery.profiles import ProfilePayers
from intake.discovery.service import CoverageDiscovery
from intake.models.discovery import DiscoveryReason, DiscoveryState, InquiryAnswer
from intake.x12.t270 import read_270
from tests.unit.discovery.fakes import REFERRAL_ID, SandboxGateway, Store, sample

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
FOUND = "50-no-insurance-discovered.json"
NOWHERE = "51-no-insurance-not-found.json"


def discovery(
    gateway: SandboxGateway, store: Store, budget: int = 3, **kwargs: object
) -> CoverageDiscovery:
    return CoverageDiscovery(
        store,  # type: ignore[arg-type]
        gateway,  # type: ignore[arg-type]
        kwargs.pop("payers", ProfilePayers()),  # type: ignore[arg-type]
        "Sample Home Infusion",
        "1234567893",
        budget=budget,
        clock=lambda: NOW,
        **kwargs,  # type: ignore[arg-type]
    )


def test_found_at_the_second_payer_in_order_after_the_first_says_not_found() -> None:
    """Given a patient without a card who is an SBX02 member, When discovery searches, Then
    SBX01 (first in order) answers AAA 75 and SBX02 finds her with her member id: two paid
    inquiries of three, and the third payer is never asked."""
    gateway, store = SandboxGateway(), Store()
    found = discovery(gateway, store).search(
        REFERRAL_ID, sample(FOUND), None, DiscoveryReason.NO_INSURANCE
    )
    assert gateway.payers_asked == ["SBX01", "SBX02"]
    assert found.state is DiscoveryState.FOUND and found.spent == 2
    assert found.found is not None
    assert (found.found.payer_id, found.found.member_id) == ("SBX02", "SBH000000250")
    assert [(i.payer_id, i.answer, i.aaa) for i in found.inquiries] == [
        ("SBX01", InquiryAnswer.NOT_FOUND, ["75"]),
        ("SBX02", InquiryAnswer.FOUND, []),
    ]
    # And the record is on the referral, the timeline has ids and codes only
    assert store.fields["discovery"]["state"] == "found"
    assert [e for e, _ in store.events] == ["discovery_inquiry", "discovery_inquiry"]
    assert all(set(d) == {"at", "payer_id", "answer", "aaa"} for _, d in store.events)


def test_the_demographic_270_has_no_member_id_and_adds_gender_and_address() -> None:
    """The 270 is the guide's Name/Date of Birth search: NM1*IL without NM108/NM109, the
    address (N3/N4) and DMG with the gender, as 005010X279A1 section 1.4.8 allows."""
    gateway = SandboxGateway()
    discovery(gateway, Store(), budget=1).search(
        REFERRAL_ID, sample(FOUND), None, DiscoveryReason.NO_INSURANCE
    )
    (x270,) = gateway.sent
    asked = read_270(x270)[0].subscriber
    assert (asked.entity.last_or_org_name, asked.entity.first_name) == ("FERREIRA", "LUCIA")
    assert asked.member_id == "" and asked.entity.id_qualifier == ""
    assert asked.sex == "F" and asked.dob is not None and asked.dob.isoformat() == "1969-04-22"
    assert "N4*CHICAGO*IL*60625~" in x270 and "NM1*IL*1*FERREIRA*LUCIA~" in x270


def test_a_budget_that_stops_the_search_before_every_payer_is_asked() -> None:
    """Given a patient on no roster and a budget of 3 paid inquiries, When discovery searches,
    Then SBX01..SBX03 answer AAA 75, SBX04 is never asked, and the record says the budget
    ran out (so the task can say more payers were left)."""
    gateway, store = SandboxGateway(), Store()
    searched = discovery(gateway, store, budget=3).search(
        REFERRAL_ID, sample(NOWHERE), None, DiscoveryReason.NO_INSURANCE
    )
    assert gateway.payers_asked == ["SBX01", "SBX02", "SBX03"]
    assert searched.state is DiscoveryState.NOT_FOUND
    assert (searched.spent, searched.budget, searched.budget_exhausted) == (3, 3, True)
    assert all(i.aaa == ["75"] and i.paid for i in searched.inquiries)


def test_a_budget_of_nothing_sends_nothing() -> None:
    gateway = SandboxGateway()
    searched = discovery(gateway, Store(), budget=0).search(
        REFERRAL_ID, sample(NOWHERE), None, DiscoveryReason.NO_INSURANCE
    )
    assert gateway.sent == [] and searched.budget_exhausted and searched.spent == 0


def test_a_repeated_event_pays_for_no_inquiry_twice() -> None:
    """Given a search already recorded (a Lambda retry, a redelivered event), When it runs
    again with the recorded discovery, Then no 270 is sent and the answers are the same."""
    gateway, store = SandboxGateway(), Store()
    first = discovery(gateway, store).search(
        REFERRAL_ID, sample(NOWHERE), None, DiscoveryReason.NO_INSURANCE
    )
    sent = len(gateway.sent)
    again = discovery(gateway, store).search(
        REFERRAL_ID, sample(NOWHERE), first, DiscoveryReason.NO_INSURANCE
    )
    assert len(gateway.sent) == sent == 3
    assert again.spent == first.spent and [i.key for i in again.inquiries] == [
        i.key for i in first.inquiries
    ]


def test_a_coverage_the_patient_did_not_confirm_moves_the_search_to_the_next_payer() -> None:
    """Given SBX02 found and the patient said it is not theirs, When the search resumes, Then
    SBX02 is not offered again and only the payers after it are asked, within what is left of
    the budget (2 spent of 4: SBX03 and SBX04)."""
    gateway, store = SandboxGateway(), Store()
    first = discovery(gateway, store, budget=4).search(
        REFERRAL_ID, sample(FOUND), None, DiscoveryReason.NO_INSURANCE
    )
    assert first.found is not None
    rejected = first.model_copy(update={"rejected": ["SBX02"]})
    resumed = discovery(gateway, store, budget=4).search(
        REFERRAL_ID, sample(FOUND), rejected, DiscoveryReason.NO_INSURANCE
    )
    assert gateway.payers_asked == ["SBX01", "SBX02", "SBX03", "SBX04"]
    assert resumed.state is DiscoveryState.NOT_FOUND and resumed.found is None
    assert resumed.spent == 4


def test_the_cards_payer_is_not_asked_again_when_it_could_not_find_the_member() -> None:
    gateway = SandboxGateway()
    discovery(gateway, Store(), budget=2).search(
        REFERRAL_ID,
        sample(NOWHERE),
        None,
        DiscoveryReason.MEMBER_NOT_FOUND,
        exclude=frozenset({"SBX01"}),
    )
    assert gateway.payers_asked == ["SBX02", "SBX03"]


class OneMedicarePayer:
    def likely_payers(self, state: str | None, limit: int) -> list[PayerCandidate]:
        return [PayerCandidate("SANDBOX ORIGINAL MEDICARE", "SBX06", "original_medicare", True, 1)]


class Lookup:
    def __init__(self, mbi: str | None) -> None:
        self.mbi, self.asked = mbi, 0

    def find_mbi(self, person: PersonSearch) -> str | None:
        self.asked += 1
        return self.mbi


def test_original_medicare_without_an_mbi_lookup_is_skipped_unpaid() -> None:
    """Medicare's eligibility service answers by MBI only: with no lookup offered, discovery
    says so and spends nothing on a 270 that cannot work."""
    gateway = SandboxGateway()
    searched = discovery(gateway, Store(), payers=OneMedicarePayer()).search(
        REFERRAL_ID, sample(NOWHERE), None, DiscoveryReason.NO_INSURANCE
    )
    (skipped,) = searched.inquiries
    assert gateway.sent == [] and skipped.answer is InquiryAnswer.SKIPPED and not skipped.paid
    assert "MBI" in (skipped.note or "")


def test_an_mbi_lookup_answer_not_in_cms_format_is_not_used() -> None:
    gateway, lookup = SandboxGateway(), Lookup("SBR000000131")
    searched = discovery(gateway, Store(), payers=OneMedicarePayer(), mbi_lookup=lookup).search(
        REFERRAL_ID, sample(NOWHERE), None, DiscoveryReason.NO_INSURANCE
    )
    (inquiry,) = searched.inquiries
    assert lookup.asked == 1 and gateway.sent == [] and searched.spent == 1
    assert inquiry.answer is InquiryAnswer.NOT_FOUND and "MBI format" in (inquiry.note or "")


def test_an_mbi_found_is_sent_as_the_member_id_of_the_medicare_270() -> None:
    """Given the lookup finds 1EG4-TE5-MK73 (CMS's example), Then the 270 to Medicare carries
    it without dashes as the member id; lookup and 270 are two paid inquiries."""
    gateway, lookup = SandboxGateway(), Lookup("1EG4-TE5-MK73")
    searched = discovery(gateway, Store(), payers=OneMedicarePayer(), mbi_lookup=lookup).search(
        REFERRAL_ID, sample(NOWHERE), None, DiscoveryReason.NO_INSURANCE
    )
    (x270,) = gateway.sent
    assert read_270(x270)[0].subscriber.member_id == "1EG4TE5MK73"
    assert searched.spent == 2 and searched.inquiries[0].search[0] == "mbi_lookup"


def test_the_sandbox_clearinghouses_mbi_lookup_finds_the_medicare_member() -> None:
    """Given sample 43's patient (Original Medicare, MBI 2AC3DE4FG56 on the sandbox roster)
    without a card, When discovery reaches Original Medicare with the clearinghouse's MBI
    lookup (SBXMBI), Then the lookup's demographic 270 returns the MBI, the 270 to SBX06
    carries it, and SBX06 answers active for her: two paid inquiries."""
    from intake.discovery.mbi import ClearinghouseMbiLookup

    gateway = SandboxGateway()
    lookup = ClearinghouseMbiLookup(
        gateway,  # type: ignore[arg-type]
        PayerCandidate("SANDBOX MBI LOOKUP", "SBXMBI", "mbi_lookup", True, 0),
        "Sample Home Infusion",
        "1234567893",
        clock=lambda: NOW,
    )
    referral = sample("43-medicare-pump-drug-part-b-dme.json").model_copy(
        update={"insurance": None}
    )
    searched = discovery(gateway, Store(), payers=OneMedicarePayer(), mbi_lookup=lookup).search(
        REFERRAL_ID, referral, None, DiscoveryReason.NO_INSURANCE
    )
    assert gateway.payers_asked == ["SBXMBI", "SBX06"]
    assert read_270(gateway.sent[0])[0].subscriber.member_id == ""  # the lookup: no id
    assert read_270(gateway.sent[1])[0].subscriber.member_id == "2AC3DE4FG56"
    assert searched.state is DiscoveryState.FOUND and searched.spent == 2
    assert searched.found is not None and searched.found.member_id == "2AC3DE4FG56"
