"""Code lists of the 005010X279A1 271 that the summary explains in plain words.

Descriptions are for people reading a verification (intake staff), so they follow the TR3
names closely; codes not listed here still pass through untouched.
"""

from __future__ import annotations

from functools import cache, lru_cache

ELIGIBILITY_CODES = {
    "1": "Active Coverage",
    "2": "Active - Full Risk Capitation",
    "3": "Active - Services Capitated",
    "4": "Active - Services Capitated to Primary Care Physician",
    "5": "Active - Pending Investigation",
    "6": "Inactive",
    "7": "Inactive - Pending Eligibility Update",
    "8": "Inactive - Pending Investigation",
    "A": "Co-Insurance",
    "B": "Co-Payment",
    "C": "Deductible",
    "CB": "Coverage Basis",
    "D": "Benefit Description",
    "E": "Exclusions",
    "F": "Limitations",
    "G": "Out of Pocket (Stop Loss)",
    "H": "Unlimited",
    "I": "Non-Covered",
    "J": "Cost Containment",
    "K": "Reserve",
    "L": "Primary Care Provider",
    "M": "Pre-existing Condition",
    "MC": "Managed Care Coordinator",
    "N": "Services Restricted to Following Provider",
    "O": "Not Deemed a Medical Necessity",
    "P": "Benefit Disclaimer",
    "Q": "Second Surgical Opinion Required",
    "R": "Other or Additional Payor",
    "S": "Prior Year(s) History",
    "T": "Card(s) Reported Lost/Stolen",
    "U": "Contact Following Entity for Eligibility or Benefit Information",
    "V": "Cannot Process",
    "W": "Other Source of Data",
    "X": "Health Care Facility",
    "Y": "Spend Down",
}
ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_CODES = frozenset({"6", "7", "8"})

TIME_PERIODS = {
    "6": "Hour",
    "7": "Day",
    "13": "24 Hours",
    "21": "Years",
    "22": "Service Year",
    "23": "Calendar Year",
    "24": "Year to Date",
    "25": "Contract",
    "26": "Episode",
    "27": "Visit",
    "28": "Outlier",
    "29": "Remaining",
    "30": "Exceeds",
    "31": "Not Exceeded",
    "32": "Lifetime",
    "33": "Lifetime Remaining",
    "34": "Month",
    "35": "Week",
    "36": "Admission",
}
REMAINING_PERIODS = frozenset({"29"})
"""EB06 codes whose EB07 is what is left to meet this plan year, not the plan amount."""
MET_PERIODS = frozenset({"24"})
"""Year to date: what the member has already met (neither the plan amount nor what is left)."""
LIFETIME_PERIODS = frozenset({"32", "33"})
"""Lifetime (32) and lifetime remaining (33): never a plan year's deductible or maximum."""
NOT_A_TOTAL = REMAINING_PERIODS | MET_PERIODS | LIFETIME_PERIODS | frozenset({"30", "31"})
PER_UNIT_PERIODS = frozenset({"6", "7", "13", "36"})
"""Hour, day, 24 hours, admission: an amount per such unit (a Part A inpatient copay per day)
is not a per-visit copay and never answers "what does an infusion cost"."""
VISIT_QUANTITY = "VS"
"""EB09 for visits: the only quantity that is a visit limit (DY reserve days, HS hours are not)."""

MEDICARE_PART_A = "MA"
MEDICARE_PART_B = "MB"
OTHER_PAYER = "R"
"""EB01 R: another payer's coverage (EB04 its type, 2120 its name): not this plan's lines."""

QUANTITY_QUALIFIERS = {
    "99": "Quantity Used",
    "CA": "Covered - Actual",
    "CE": "Covered - Estimated",
    "D3": "Number of Co-insurance Days",
    "DB": "Deductible Blood Units",
    "DY": "Days",
    "HS": "Hours",
    "LA": "Life-time Reserve - Actual",
    "LE": "Life-time Reserve - Estimated",
    "M2": "Maximum",
    "MN": "Month",
    "P6": "Number of Services or Procedures",
    "QA": "Quantity Approved",
    "S7": "Age, High Value",
    "S8": "Age, Low Value",
    "VS": "Visits",
    "YY": "Years",
}

INDIVIDUAL_LEVELS = frozenset({"IND", "EMP"})
FAMILY_LEVELS = frozenset({"FAM", "ESP", "ECH", "SPC"})

REJECT_REASONS = {
    "04": "Authorized Quantity Exceeded",
    "15": "Required application data missing",
    "33": "Input Errors",
    "35": "Out of Network",
    "41": "Authorization/Access Restrictions",
    "42": "Unable to Respond at Current Time",
    "43": "Invalid/Missing Provider Identification",
    "44": "Invalid/Missing Provider Name",
    "45": "Invalid/Missing Provider Specialty",
    "46": "Invalid/Missing Provider Phone Number",
    "47": "Invalid/Missing Provider State",
    "48": "Invalid/Missing Referring Provider Identification Number",
    "49": "Provider is Not Primary Care Physician",
    "50": "Provider Ineligible for Inquiries",
    "51": "Provider Not on File",
    "52": "Service Dates Not Within Provider Plan Enrollment",
    "53": "Inquired Benefit Inconsistent with Provider Type",
    "54": "Inappropriate Product/Service ID Qualifier",
    "55": "Inappropriate Product/Service ID",
    "56": "Inappropriate Date",
    "57": "Invalid/Missing Date(s) of Service",
    "58": "Invalid/Missing Date-of-Birth",
    "60": "Date of Birth Follows Date(s) of Service",
    "61": "Date of Death Precedes Date(s) of Service",
    "62": "Date of Service Not Within Allowable Inquiry Period",
    "63": "Date of Service in Future",
    "64": "Invalid/Missing Patient ID",
    "65": "Invalid/Missing Patient Name",
    "66": "Invalid/Missing Patient Gender Code",
    "67": "Patient Not Found",
    "68": "Duplicate Patient ID Number",
    "69": "Inconsistent with Patient's Age",
    "70": "Inconsistent with Patient's Gender",
    "71": "Patient Birth Date Does Not Match That for the Patient on the Database",
    "72": "Invalid/Missing Subscriber/Insured ID",
    "73": "Invalid/Missing Subscriber/Insured Name",
    "74": "Invalid/Missing Subscriber/Insured Gender Code",
    "75": "Subscriber/Insured Not Found",
    "76": "Duplicate Subscriber/Insured ID Number",
    "77": "Subscriber Found, Patient Not Found",
    "78": "Subscriber/Insured Not in Group/Plan Identified",
    "79": "Invalid Participant Identification",
    "80": "No Response received - Transaction Terminated",
    "97": "Invalid or Missing Provider Address",
    "T4": "Payer Name or Identifier Missing",
}

FOLLOW_UP_ACTIONS = {
    "C": "Please Correct and Resubmit",
    "N": "Resubmission Not Allowed",
    "P": "Please Resubmit Original Transaction",
    "R": "Resubmission Allowed",
    "S": "Do Not Resubmit; Inquiry Initiated to a Third Party",
    "W": "Please Wait 30 Days and Resubmit",
    "X": "Please Wait 10 Days and Resubmit",
    "Y": "Do Not Resubmit; We Will Hand Deliver",
}

INSURANCE_TYPES = {
    "12": "Medicare Secondary Working Aged Beneficiary or Spouse with Employer Group Health Plan",
    "13": "Medicare Secondary End-Stage Renal Disease Beneficiary",
    "14": "Medicare Secondary, No-fault Insurance including Auto is Primary",
    "15": "Medicare Secondary Worker's Compensation",
    "16": "Medicare Secondary Public Health Service (PHS) or Other Federal Agency",
    "41": "Medicare Secondary Black Lung",
    "42": "Medicare Secondary Veteran's Administration",
    "43": "Medicare Secondary Disabled Beneficiary Under Age 65 with Large Group Health Plan",
    "47": "Medicare Secondary, Other Liability Insurance is Primary",
    "AP": "Auto Insurance Policy",
    "C1": "Commercial",
    "CO": "Consolidated Omnibus Budget Reconciliation Act (COBRA)",
    "CP": "Medicare Conditionally Primary",
    "D": "Disability",
    "DB": "Disability Benefits",
    "EP": "Exclusive Provider Organization",
    "FF": "Family or Friends",
    "GP": "Group Policy",
    "HM": "Health Maintenance Organization (HMO)",
    "HN": "Health Maintenance Organization (HMO) - Medicare Risk",
    "HS": "Special Low Income Medicare Beneficiary",
    "IN": "Indemnity",
    "IP": "Individual Policy",
    "LC": "Long Term Care",
    "LD": "Long Term Policy",
    "LI": "Life Insurance",
    "LT": "Litigation",
    "MA": "Medicare Part A",
    "MB": "Medicare Part B",
    "MC": "Medicaid",
    "MH": "Medigap Part A",
    "MI": "Medigap Part B",
    "MP": "Medicare Primary",
    "OT": "Other",
    "PE": "Property Insurance - Personal",
    "PL": "Personal",
    "PP": "Personal Payment (Cash - No Insurance)",
    "PR": "Preferred Provider Organization (PPO)",
    "PS": "Point of Service (POS)",
    "QM": "Qualified Medicare Beneficiary",
    "RP": "Property Insurance - Real",
    "SP": "Supplemental Policy",
    "TF": "Tax Equity Fiscal Responsibility Act (TEFRA)",
    "WC": "Workers Compensation",
    "WU": "Wrap Up Policy",
}


def describe(table: dict[str, str], code: str) -> str | None:
    """Plain-words name of ``code`` in ``table``; None for empty or unknown codes."""
    return table.get(code) if code else None


DATE_QUALIFIERS = {
    "096": "Discharge",
    "102": "Issue",
    "152": "Effective Date of Change",
    "193": "Period Start",
    "194": "Period End",
    "198": "Completion",
    "290": "Coordination of Benefits",
    "291": "Plan",
    "292": "Benefit",
    "295": "Primary Care Provider",
    "304": "Latest Visit or Consultation",
    "307": "Eligibility",
    "318": "Added",
    "340": "Consolidated Omnibus Budget Reconciliation Act (COBRA) Begin",
    "341": "Consolidated Omnibus Budget Reconciliation Act (COBRA) End",
    "342": "Premium Paid to Date Begin",
    "343": "Premium Paid to Date End",
    "346": "Plan Begin",
    "347": "Plan End",
    "348": "Benefit Begin",
    "349": "Benefit End",
    "356": "Eligibility Begin",
    "357": "Eligibility End",
    "382": "Enrollment",
    "435": "Admission",
    "442": "Date of Death",
    "458": "Certification",
    "472": "Service",
    "539": "Policy Effective",
    "540": "Policy Expiration",
    "636": "Date of Last Update",
    "771": "Status",
}
"""X12 element 374 names of the DTP01 codes X279 allows in 2100C/D and 2110C/D (per-loop lists:
azoner/pyx12 pyx12/map/271.5010.X279.A1.xml @ c260de0; names: X12 element 374)."""

PLAN_RANGE = "291"
PLAN_BEGIN = "346"
PLAN_END = "347"
ELIGIBILITY = "307"
ELIGIBILITY_BEGIN = "356"
ELIGIBILITY_END = "357"
POLICY_EFFECTIVE = "539"
POLICY_EXPIRATION = "540"
CALENDAR_YEAR = "23"
"""EB06 23 Calendar Year: the amount's year is the calendar year, whatever the plan dates."""


@cache
def _load_domains() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    import json
    from importlib import resources

    data = json.loads(
        resources.files("intake.data").joinpath("service_type_domains.json").read_text("utf-8")
    )
    by_code = {code: domain for domain, codes in data["domains"].items() for code in codes}
    words = {domain: tuple(w) for domain, w in data["plan_words"].items()}
    return by_code, words


MEDICAL = "medical"


@lru_cache(maxsize=512)
@lru_cache(maxsize=1024)
def domain_of(service_types: tuple[str, ...], plan_description: str) -> str | None:
    """dental, vision or pharmacy when every service type of the line is one of that domain's
    (``intake/data/service_type_domains.json``; ``dental+vision`` for a line naming both), or,
    for a plan-level line, its plan description names the domain; medical when it names any
    other service type; None for a plan-level (30) or bare line that says nothing more."""
    by_code, words = _load_domains()
    found = {by_code.get(t, MEDICAL) for t in service_types if t != "30"}
    if MEDICAL in found:
        return MEDICAL
    if found:
        return "+".join(sorted(found))
    if plan_description:
        upper = f" {plan_description.upper()} "
        for domain, names in words.items():
            if any(f" {w} " in upper or upper.strip().startswith(w) for w in names):
                return domain
    return None
