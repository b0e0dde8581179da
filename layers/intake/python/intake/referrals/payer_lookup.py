"""A referral that names its payer but gives no payer id (a fax's "Insurance: BCBS of Texas",
an HL7 IN1 with the company name only): the payer directory supplies the id when the name
names one payer. Several payers fitting the name is a question for a person (the referral is
held for review with the candidates listed); a name the directory does not know is left as
written, so the door asks for the id as it always has. Never a guess."""

from __future__ import annotations

from typing import Any

from intake.referrals.outcome import Extraction


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def fill_payer_id(extraction: Extraction) -> Extraction:
    """The draft with ``insurance.payer_id`` filled from the directory, or a doubt naming the
    candidates; unchanged when the id is given, the payer is not named, or the name is unknown."""
    insurance = extraction.draft.get("insurance")
    if not isinstance(insurance, dict) or _text(insurance.get("payer_id")):
        return extraction
    name = _text(insurance.get("payer_name"))
    if name is None:
        return extraction
    from intake.directory.runtime import payer_directory

    found = payer_directory().resolve(None, name)
    if found.resolved and found.payer_id:
        insurance["payer_id"] = found.payer_id
        named = extraction.confidence.get("insurance.payer_name")
        if named is not None:  # as sure as the name it was found by
            extraction.confidence["insurance.payer_id"] = named
        extraction.problems.append(
            f"insurance.payer_id: not on the document; {found.payer_id} from the payer "
            f"directory by its {found.how or 'name'}"
        )
    elif found.status == "ambiguous" and found.candidates:
        extraction.doubts.append(
            "insurance.payer_id: the payer's name fits several payers in the directory ("
            + ", ".join(found.candidates[:8])
            + "); choose one"
        )
    return extraction
