"""The kinds of liaison task (below the records and the task details, which both name them)."""

from __future__ import annotations

from enum import StrEnum


class TaskType(StrEnum):
    WELCOME_CALL = "welcome_call"
    COST_AND_OPTIONS_CALL = "cost_and_options_call"
    SCHEDULING_CALL = "scheduling_call"
    NEEDS_REVIEW = "needs_review"  # a quarantined upload
    COMPLETE_REFERRAL = "complete_referral"  # a draft with missing or doubtful fields
    VERIFY_INSURANCE = "verify_insurance"
    COVERAGE_INACTIVE = "coverage_inactive"
    WORKFLOW_ERROR = "workflow_error"
    APPEAL_OR_ALTERNATIVES = "appeal_or_alternatives"
    PRIOR_AUTH_FOLLOWUP = "prior_auth_followup"
    ACCEPT_OR_APPEAL = "accept_or_appeal"  # partially certified or modified: accept or appeal
    NETWORK_EXCEPTION = "network_exception"  # out of network: ask for a single-case agreement
    VERIFY_CONTACT = "verify_contact"  # a wrong number: get the right one from the clinic
    CONFIRM_ORDER = "confirm_order"  # an old order: the prescriber confirms it is current
    LINKED_UPDATE = "linked_update"  # linked to an open referral: keep linked, or split
    DOSE_CHECKIN_CALL = "dose_checkin_call"  # before each dose: side effects, supplies, cost
    DOSE_DELIVERY = "dose_delivery"  # a cleared dose: ship by its date
    DOSE_HOLD = "dose_hold"  # a dose held (coverage ended, payer down, not reached): act on it
    DOSE_REAUTHORIZATION = "dose_reauthorization"  # the authorization does not cover a dose
    RECORDS_FROM_CLINIC = "records_from_clinic"  # evidence the payer needs: asked of the clinic
    PRESCRIBER_SIGNATURE = "prescriber_signature"  # the letter of medical necessity, to be signed
    SEND_TO_PBM = "send_to_pbm"  # a pharmacy-benefit drug: the packet goes to the PBM, not a 278
    PHARMACIST_ASSESSMENT = "pharmacist_assessment"  # the pharmacist's initial assessment call
    CLINICAL_REVIEW = "clinical_review"  # an allergy or interaction conflict: proceed or stop
    FIRST_VISIT = "first_visit"  # the nurse documents the first visit (or: missed, cancelled)
    ASSISTANCE_ENROLLMENT = "assistance_enrollment"  # enroll the patient in a program
    CLINIC_STATUS_UNSENT = "clinic_status_unsent"  # a clinic status fax kept failing: send it
    CONFIRM_COVERAGE = "confirm_coverage"  # discovery found a coverage: the patient confirms it
    COVERAGE_NOT_FOUND = "coverage_not_found"  # discovery found none: what was tried, for a person
