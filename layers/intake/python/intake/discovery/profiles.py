"""Likely payers from the payer directory (``intake.directory``: ``likely_payers``), as
discovery's ``LikelyPayers`` port reads them.

The payers moved from ``payer_profiles.json`` into the directory (issue 26, item 1), which
says per payer which states it covers and whether it takes the name/date-of-birth search; a
payer that does not say stays a candidate for every state, and "unknown" stays None (it is
asked; its AAA answer tells). Pharmacy benefit managers are not coverage and are left out.
``plan_type`` is the payer's program as the profiles named it (None: commercial or unknown)."""

from __future__ import annotations

from intake.discovery.ports import PayerCandidate

_DEMOGRAPHIC = {"yes": True, "no": False}


class ProfilePayers:
    """``LikelyPayers`` over the payer directory, in its order."""

    def likely_payers(self, state: str | None, limit: int) -> list[PayerCandidate]:
        from intake.directory.runtime import payer_directory
        from intake.directory.views import PROGRAM_OF_PLAN_TYPE

        return [
            PayerCandidate(
                name=p.name,
                payer_id=p.clearinghouse_payer_id or p.payer_id,
                plan_type=PROGRAM_OF_PLAN_TYPE[p.plan_type],
                answers_demographic_270=_DEMOGRAPHIC.get(p.demographic_270),
                order=p.directory_order,
            )
            for p in payer_directory().likely_payers(state, max(0, limit))
        ]
