"""The receipt date the commands plan from, as the workflow does (``intake.models.dates``).

The workflow starts every clock from when the referral was received, and a therapy start
before that day means "as soon as possible": nothing is priced or requested before receipt.
The commands take the receipt date from ``--received``, else the document's own send or
receipt time (``received_at``: HL7 MSH-7, FHIR Bundle.timestamp, the JSON field), else today.
"""

from __future__ import annotations

import sys
from datetime import date, datetime

from intake.models.dates import TherapySchedule


def received_on(option: date | None, document_time: datetime | None, today: date) -> date:
    """``--received``, else the document's own time, else ``today``."""
    if option is not None:
        return option
    return document_time.date() if document_time is not None else today


def planned_start(prescribed: date | None, received: date) -> date:
    """The first day to plan: the prescribed start, never before receipt (the workflow's rule,
    ``TherapySchedule``); a start that moved is said on stderr, with what to confirm."""
    start = received if prescribed is None or prescribed < received else prescribed
    note = TherapySchedule(prescribed_start=prescribed, planned_start=start).note()
    if note is not None and prescribed is not None:
        sys.stderr.write(f"note: received {received.isoformat()}; {note}\n")
    return start
