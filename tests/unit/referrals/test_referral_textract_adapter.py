"""TextractOcr against a stubbed Textract client (botocore Stubber; no AWS)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from intake.adapters.textract import TextractOcr
from intake.referrals.fields import extract_fields, lines_from_ocr
from intake.referrals.ocr import OcrEngine, OcrError


def _blocks() -> list[dict[str, object]]:
    words = [
        ("w1", "Member", 99.1),
        ("w2", "ID:", 98.0),
        ("w3", "SBXPPO1234", 76.5),
        ("w4", "NPI:", 99.0),
        ("w5", "1234567893", 97.0),
    ]
    blocks: list[dict[str, object]] = [{"BlockType": "PAGE", "Id": "p1", "Page": 1}]
    blocks.append(
        {
            "BlockType": "LINE",
            "Id": "l1",
            "Page": 1,
            "Text": "Member ID: SBXPPO1234",
            "Confidence": 90.0,
            "Relationships": [{"Type": "CHILD", "Ids": ["w1", "w2", "w3"]}],
        }
    )
    blocks.append(
        {
            "BlockType": "LINE",
            "Id": "l2",
            "Page": 1,
            "Text": "NPI: 1234567893",
            "Confidence": 98.0,
            "Relationships": [{"Type": "CHILD", "Ids": ["w4", "w5"]}],
        }
    )
    blocks += [
        {"BlockType": "WORD", "Id": i, "Page": 1, "Text": t, "Confidence": c} for i, t, c in words
    ]
    return blocks


@pytest.fixture
def textract() -> object:
    return boto3.client(
        "textract",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_detect_document_text_becomes_lines_with_confidences(textract: object) -> None:
    # Given Textract answering DetectDocumentText for one page image
    ocr = TextractOcr(textract)
    assert isinstance(ocr, OcrEngine)
    with Stubber(textract) as stub:  # type: ignore[arg-type]
        stub.add_response(
            "detect_document_text", {"Blocks": _blocks()}, {"Document": {"Bytes": b"\x89PNG-page"}}
        )
        # When recognized
        page = ocr.recognize(b"\x89PNG-page", timeout_s=30)
        stub.assert_no_pending_responses()
    # Then words keep Textract's confidences (0-1) and feed field extraction
    assert [line.text for line in page.lines] == ["Member ID: SBXPPO1234", "NPI: 1234567893"]
    extraction = extract_fields(lines_from_ocr(page))
    assert extraction.confidence["insurance.member_id"] == pytest.approx(0.765)
    assert extraction.draft["prescriber"]["npi"] == "1234567893"


def test_analyze_document_from_s3_and_errors(textract: object) -> None:
    # Given FORMS analysis of an S3 object, then a throttling error
    ocr = TextractOcr(textract, forms=True)
    with Stubber(textract) as stub:  # type: ignore[arg-type]
        stub.add_response(
            "analyze_document",
            {"Blocks": _blocks()},
            {
                "Document": {
                    "S3Object": {"Bucket": "intake", "Name": "referrals/a.pdf", "Version": "v1"}
                },
                "FeatureTypes": ["FORMS"],
            },
        )
        stub.add_client_error("analyze_document", service_error_code="ThrottlingException")
        pages = ocr.recognize_s3("intake", "referrals/a.pdf", "v1")
        # Then pages come back, and a service error is an OcrError in plain words
        assert len(pages) == 1 and len(pages[0].lines) == 2
        with pytest.raises(OcrError, match="ThrottlingException"):
            ocr.recognize(b"img", timeout_s=30)


def test_oversized_image_is_refused_before_calling() -> None:
    with pytest.raises(OcrError, match="10 MB"):
        TextractOcr(object()).recognize(b"\0" * (10 * 1024 * 1024 + 1), timeout_s=30)
