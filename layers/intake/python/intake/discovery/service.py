"""The search: demographic 270s to the likely payers, in their order, under a budget.

Each payer is asked once per search (referral + payer + the fields and values sent): a repeated
event (a Lambda retry, a redelivered message) finds the answer recorded on the referral and
pays for nothing. The record is written after every inquiry, so a crash loses at most the one
inquiry in flight. Stops when a payer reports active coverage, when the budget of paid
inquiries is spent, or when an answer says a person must look (the request needs fixing, more
than one person matches, an AAA code without a rule).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from intake.clearinghouse import ClearinghouseError, ClearinghouseGateway, ClearinghouseUnavailable
from intake.core.clock import utcnow
from intake.core.observability import logger, metrics
from intake.discovery.ports import LikelyPayers, MbiLookup, PayerCandidate, PersonSearch
from intake.discovery.rules import (
    answer_for,
    demographic_fields,
    hyphen_variants,
    is_mbi,
    normalize_mbi,
    retry_with_other_name,
    split_suffix,
)
from intake.models.benefits import CoverageStatus, ExpectedPatient
from intake.models.discovery import (
    DiscoveryInquiry,
    DiscoveryReason,
    DiscoveryRecord,
    DiscoveryState,
    FoundCoverage,
    InquiryAnswer,
)
from intake.models.ports import ReferralStore
from intake.models.referral import Referral, Sex
from intake.reference.payer_profiles import payer_setting
from intake.x12.errors import X12Error
from intake.x12.t270 import EligibilityInquiry, InquiryAddress, SubscriberInfo, build_270

STOPPING = frozenset({InquiryAnswer.FIX_REQUEST, InquiryAnswer.AMBIGUOUS, InquiryAnswer.UNKNOWN})
"""Answers after which asking more payers would be a guess: a person looks."""

CANDIDATES_PER_BUDGET = 3
"""Payers read from the list per paid inquiry allowed: some are skipped without paying (Original
Medicare without an MBI lookup, a payer already asked with the card)."""

ORIGINAL_MEDICARE = "original_medicare"


def _digits(postal_code: str) -> str:
    return postal_code.replace("-", "")


def demographic_inquiry(
    referral: Referral,
    candidate: PayerCandidate,
    provider_name: str,
    provider_npi: str,
    trace: str,
    service_date: date,
    member_id: str | None = None,
    name: tuple[str, str | None] | None = None,
) -> EligibilityInquiry:
    """The 270 discovery sends a payer: the patient as subscriber by last name, first name and
    date of birth, with gender and address when known (005010X279A1 section 1.4.8's Name/Date
    of Birth Search Option and the data it lets us add); a member id only when an MBI lookup
    found one for Original Medicare."""
    patient = referral.patient
    address = patient.address
    last_name, suffix = name or split_suffix(patient.last_name)
    return EligibilityInquiry(
        payer_name=candidate.name,
        payer_id=candidate.payer_id,
        provider_name=provider_name,
        provider_npi=provider_npi,
        subscriber=SubscriberInfo(
            first_name=patient.first_name,
            last_name=last_name,
            suffix=suffix,
            dob=patient.date_of_birth,
            sex=patient.sex if patient.sex is not Sex.UNKNOWN else None,
            member_id=member_id,
            address=InquiryAddress(
                line1=address.line1,
                city=address.city,
                state=address.state,
                postal_code=_digits(address.postal_code),
            )
            if address
            else None,
        ),
        service_date=service_date,
        service_types=tuple(payer_setting(candidate.payer_id, "service_types")),
        trace_number=trace,
    )


@dataclass
class CoverageDiscovery:
    store: ReferralStore
    gateway: ClearinghouseGateway
    payers: LikelyPayers
    provider_name: str
    provider_npi: str
    budget: int
    mbi_lookup: MbiLookup | None = None
    clock: Callable[[], datetime] = field(default=utcnow)

    def search(
        self,
        referral_id: str,
        referral: Referral,
        previous: DiscoveryRecord | None,
        reason: DiscoveryReason,
        exclude: frozenset[str] = frozenset(),
    ) -> DiscoveryRecord:
        """Ask the likely payers until one reports active coverage (``state`` found, ``found``
        set) or none can (``state`` not_found). ``previous`` is the referral's discovery so far
        (a retry, or a search resumed after the patient did not confirm a coverage):
        its answers are reused and its spending counts. ``exclude``: payers already asked
        with the card's member id."""
        patient = referral.patient
        state = patient.address.state if patient.address else None
        if previous is None:
            record = DiscoveryRecord(
                reason=reason,
                state=DiscoveryState.NOT_FOUND,
                budget=self.budget,
                state_searched=state,
            )
        else:
            record = previous.model_copy(deep=True)
            if record.found is not None and record.found.payer_id in record.rejected:
                record.found = None
            record.state = DiscoveryState.NOT_FOUND
            record.budget_exhausted = False
        done = {i.key: i for i in record.inquiries}
        limit = max(1, self.budget) * CANDIDATES_PER_BUDGET + len(exclude)
        candidates = [
            c
            for c in self.payers.likely_payers(state, limit)
            if c.payer_id not in exclude and c.payer_id not in record.rejected
        ]
        record.not_tried = []
        for n, candidate in enumerate(candidates):
            if candidate.answers_demographic_270 is False:
                self._skip(
                    referral_id, record, candidate, "the payer takes no name/date-of-birth search"
                )
                continue
            ask = functools.partial(self._inquiry, referral_id, referral, record, candidate, done)
            inquiry = self._payer(ask, referral.patient.last_name)
            if inquiry is None:  # the budget is spent
                record.budget_exhausted = True
                record.not_tried = [c.payer_id for c in candidates[n:]]
                break
            found = record.found
            if (
                inquiry.answer is InquiryAnswer.FOUND
                and found
                and found.payer_id == candidate.payer_id
            ):
                record.state = DiscoveryState.FOUND
                break
            if inquiry.answer in STOPPING:
                break
        self._save(referral_id, record)
        metrics.add_metric(name=f"Discovery_{record.state.value}", unit="Count", value=1)
        logger.info(
            "insurance discovery",
            extra={
                "referral_id": referral_id,
                "state": record.state.value,
                "spent": record.spent,
                "budget": record.budget,
            },
        )
        return record

    # ------------------------------------------------------------------ one payer
    @staticmethod
    def _payer(
        ask: Callable[[tuple[str, str | None, str]], DiscoveryInquiry | None], last_name: str
    ) -> DiscoveryInquiry | None:
        """Ask one payer: the last name as written (a suffix in NM107); when the payer says the
        name is wrong (AAA 73), once more per spelling a hyphenated name may be on file under,
        while the budget lasts (each resend is a paid inquiry)."""
        last, suffix = split_suffix(last_name)
        inquiry = ask((last, suffix, ""))
        for label, variant in hyphen_variants(last):
            if inquiry is None or not retry_with_other_name(inquiry.aaa):
                break
            again = ask((variant, suffix, label))
            if again is None:  # the budget is spent: the 73 stands
                break
            inquiry = again
        return inquiry

    def _inquiry(
        self,
        referral_id: str,
        referral: Referral,
        record: DiscoveryRecord,
        candidate: PayerCandidate,
        done: dict[str, DiscoveryInquiry],
        name: tuple[str, str | None, str],
    ) -> DiscoveryInquiry | None:
        patient = referral.patient
        sex = patient.sex.value if patient.sex is not Sex.UNKNOWN else None
        fields = demographic_fields(
            has_sex=sex is not None, has_address=patient.address is not None
        )
        last, suffix, variant = name
        if suffix:
            fields = [*fields, "suffix"]
        if variant:
            fields = [*fields, f"name_variant:{variant}"]
        member_id: str | None = None
        if candidate.plan_type == ORIGINAL_MEDICARE:
            # Medicare's eligibility service answers by MBI only: find it first, where offered.
            if self.mbi_lookup is None:
                return self._skip(
                    referral_id,
                    record,
                    candidate,
                    "Original Medicare answers by MBI only and the clearinghouse offers no "
                    "MBI lookup",
                )
            fields = ["mbi_lookup", *fields]
        key = self._key(referral_id, candidate.payer_id, fields, referral)
        if key in done:  # asked before (a retry): the recorded answer, nothing paid again
            return done[key]
        if record.spent >= record.budget:
            return None
        if candidate.plan_type == ORIGINAL_MEDICARE and self.mbi_lookup is not None:
            record.spent += 1
            person = PersonSearch(
                patient.first_name,
                patient.last_name,
                patient.date_of_birth,
                sex,
                patient.address.postal_code if patient.address else None,
            )
            found_mbi = self.mbi_lookup.find_mbi(person)
            if found_mbi is None or not is_mbi(found_mbi):
                note = (
                    "the MBI lookup found no one"
                    if found_mbi is None
                    else "the MBI lookup returned an id that is not in the MBI format (CMS)"
                )
                return self._keep(
                    referral_id,
                    record,
                    DiscoveryInquiry(
                        key=key,
                        payer_id=candidate.payer_id,
                        payer_name=candidate.name,
                        search=fields,
                        answer=InquiryAnswer.NOT_FOUND,
                        paid=True,
                        at=self.clock(),
                        note=note,
                    ),
                )
            member_id = normalize_mbi(found_mbi)
            if record.spent >= record.budget:
                return None
        record.spent += 1
        answer, codes, found, note_of = self._ask(
            referral_id, referral, candidate, member_id, len(record.inquiries) + 1, (last, suffix)
        )
        if found is not None:
            record.found = found
        inquiry = DiscoveryInquiry(
            key=key,
            payer_id=candidate.payer_id,
            payer_name=candidate.name,
            search=fields,
            answer=answer,
            aaa=codes,
            paid=True,
            at=self.clock(),
            note=note_of,
        )
        return self._keep(referral_id, record, inquiry)

    def _ask(
        self,
        referral_id: str,
        referral: Referral,
        candidate: PayerCandidate,
        member_id: str | None,
        n: int,
        name: tuple[str, str | None],
    ) -> tuple[InquiryAnswer, list[str], FoundCoverage | None, str | None]:
        patient = referral.patient
        inquiry = demographic_inquiry(
            referral,
            candidate,
            self.provider_name,
            self.provider_npi,
            f"{referral_id[4:16]}-D{n}",
            self.clock().date(),
            member_id,
            name,
        )
        try:
            reply = self.gateway.check_eligibility(build_270(inquiry), correlation_id=referral_id)
        except ClearinghouseUnavailable as exc:
            return (
                InquiryAnswer.RETRY_LATER,
                [],
                None,
                f"the payer did not answer ({exc.last_reason})",
            )
        except ClearinghouseError as exc:
            return (
                InquiryAnswer.PAYER_SETUP,
                [],
                None,
                f"the clearinghouse refused ({type(exc).__name__})",
            )
        from intake.eligibility.benefits.interpret import interpret_271  # the 271 reader, only here

        expected = ExpectedPatient(  # as asked: a name variant sent is the name expected back
            first_name=patient.first_name, last_name=name[0], dob=patient.date_of_birth
        )
        try:
            summaries = interpret_271(
                reply.x12, expected=expected, service_types=inquiry.service_types
            )
        except X12Error:
            return InquiryAnswer.UNKNOWN, [], None, "the payer's 271 could not be read"
        summary = summaries[0]
        codes = [r.code for r in summary.rejections]
        if codes:
            return answer_for(codes, demographic=member_id is None), codes, None, None
        if summary.mismatches:
            fields = ", ".join(m.replace("_", " ") for m in summary.mismatches)
            return InquiryAnswer.NOT_FOUND, [], None, f"the payer's member differs in {fields}"
        if summary.status is CoverageStatus.INACTIVE:
            return InquiryAnswer.INACTIVE, [], None, "the payer reports the coverage inactive"
        found_id = summary.subscriber.member_id or member_id
        if summary.status is not CoverageStatus.ACTIVE or not found_id:
            return (
                InquiryAnswer.UNKNOWN,
                [],
                None,
                "the payer sent no active coverage and no member id",
            )
        plan = summary.plan.description or summary.plan.insurance_type_description
        return (
            InquiryAnswer.FOUND,
            [],
            FoundCoverage(
                payer_id=candidate.payer_id,
                payer_name=candidate.name,
                member_id=found_id,
                group_number=summary.plan.group_number,
                plan=plan,
                plan_begin=summary.plan.begin,
                program=candidate.plan_type,
            ),
            None,
        )

    # ------------------------------------------------------------------ bookkeeping
    @staticmethod
    def _key(referral_id: str, payer_id: str, fields: list[str], referral: Referral) -> str:
        """referral + payer + search: the values go in hashed (no PHI in the key), so a
        corrected address is a new search while a repeat is the same one."""
        p = referral.patient
        values = "|".join(
            (
                p.last_name.upper(),
                p.first_name.upper(),
                p.date_of_birth.isoformat(),
                p.sex.value,
                p.address.postal_code if p.address else "",
                p.address.line1.upper() if p.address else "",
            )
        )
        digest = hashlib.sha256(f"{referral_id}|{values}".encode()).hexdigest()[:16]
        return f"{payer_id}:{'+'.join(fields)}:{digest}"

    def _skip(
        self, referral_id: str, record: DiscoveryRecord, candidate: PayerCandidate, note: str
    ) -> DiscoveryInquiry:
        if any(
            i.payer_id == candidate.payer_id and i.answer is InquiryAnswer.SKIPPED
            for i in record.inquiries
        ):
            return next(i for i in record.inquiries if i.payer_id == candidate.payer_id)
        return self._keep(
            referral_id,
            record,
            DiscoveryInquiry(
                key=f"{candidate.payer_id}:skipped",
                payer_id=candidate.payer_id,
                payer_name=candidate.name,
                search=[],
                answer=InquiryAnswer.SKIPPED,
                paid=False,
                at=self.clock(),
                note=note,
            ),
        )

    def _keep(
        self, referral_id: str, record: DiscoveryRecord, inquiry: DiscoveryInquiry
    ) -> DiscoveryInquiry:
        record.inquiries.append(inquiry)
        if inquiry.paid:
            self._save(referral_id, record)
            self.store.record(
                referral_id,
                "discovery_inquiry",
                at=self.clock(),
                payer_id=inquiry.payer_id,
                answer=inquiry.answer.value,
                aaa=list(inquiry.aaa),
            )
        return inquiry

    def _save(self, referral_id: str, record: DiscoveryRecord) -> None:
        self.store.update_referral(
            referral_id, discovery=record.model_dump(mode="json"), updated_at=self.clock()
        )
