"""Eligibility: the 270 from a referral, the clearinghouse's 271, and what it means
(``benefits``: coverage, cost sharing, coordination)."""
