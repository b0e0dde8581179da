"""Code lists of the 278 response explained in plain words for intake staff.

HCR01 (action), HCR03 (X12 external list 886, review decision reasons) and AAA03 (reject
reasons). Only codes we have seen or send are named; others pass through as their code.
``ACTION_STATUS`` says what each action means for the workflow, as data: A2 (partial) and A6
(modified) are *not* plain certifications, since the approved units or dates differ from what
was asked and a person must accept them or appeal.
"""

from __future__ import annotations

from intake.models.authorization import DecisionStatus

AuthStatus = DecisionStatus
"""What a 278 answer says, as the authorization record keeps it."""

ACTION_CODES = {
    "A1": "Certified in total",
    "A2": "Certified - partial",
    "A3": "Not certified",
    "A4": "Pended",
    "A6": "Modified",
    "C": "Cancelled",
    "CT": "Contact payer",
    "D": "Deferred",
    "IP": "In process",
    "NA": "No action required",
}
ACTION_STATUS: dict[str, AuthStatus] = {
    "A1": "certified",
    "NA": "certified",  # no action required: nothing stands between the patient and the therapy
    "A2": "partial",
    "A6": "modified",
    "A3": "denied",
    "C": "cancelled",
    "A4": "pended",
    "CT": "pended",
    "D": "pended",
    "IP": "pended",
}
APPROVING_STATUSES = frozenset({"certified", "partial", "modified"})
"""Statuses that carry a certification number and dates (something was approved)."""
CERTIFIED_ACTIONS = frozenset(a for a, s in ACTION_STATUS.items() if s in APPROVING_STATUSES)
DENIED_ACTIONS = frozenset(a for a, s in ACTION_STATUS.items() if s in ("denied", "cancelled"))
PENDED_ACTIONS = frozenset(a for a, s in ACTION_STATUS.items() if s == "pended")

DECISION_REASONS = {
    "01": "Price authorization expired",
    "02": "Price authorization no longer required",
    "03": "Product not on the price authorization",
    "04": "Authorized quantity exceeded",
    "07": "Administrative cancellation",
    "09": "Out of network",
    "0A": "Testing not included",
    "0B": "Request forwarded to and decision response forthcoming from an external review "
    "organization",
    "0C": "Authorization/access restrictions",
}

REJECT_REASONS = {
    "04": "Authorized quantity exceeded",
    "15": "Required application data missing",
    "33": "Input errors",
    "35": "Out of network",
    "41": "Authorization/access restrictions",
    "42": "Unable to respond at current time",
    "43": "Invalid/missing provider identification",
    "44": "Invalid/missing provider name",
    "51": "Provider not on file",
    "57": "Invalid/missing date(s) of service",
    "58": "Invalid/missing date of birth",
    "64": "Invalid/missing patient ID",
    "65": "Invalid/missing patient name",
    "67": "Patient not found",
    "72": "Invalid/missing subscriber/insured ID",
    "73": "Invalid/missing subscriber/insured name",
    "75": "Subscriber/insured not found",
    "79": "Invalid participant identification",
    "AF": "Invalid/missing diagnosis code(s)",
    "AG": "Invalid/missing procedure code(s)",
    "T5": "Certification information missing",
}

FOLLOW_UP_ACTIONS = {
    "C": "Please correct and resubmit",
    "N": "Resubmission not allowed",
    "P": "Please resubmit original transaction",
    "R": "Resubmission allowed",
    "Y": "Do not resubmit; we will hand deliver",
}
