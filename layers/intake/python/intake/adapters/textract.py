"""Amazon Textract as the ``OcrEngine`` for scanned fax pages in AWS.

``recognize`` sends one rendered page image (synchronous DetectDocumentText, or
AnalyzeDocument with FORMS when asked); ``recognize_s3`` reads a single-page image or PDF
straight from S3 without downloading it. Multi-page PDFs go page by page through
``recognize`` after rendering, which keeps one code path, the per-page limits, and avoids the
asynchronous StartDocumentTextDetection job plumbing. Textract's 0-100 confidences become
0-1. The per-call bound is the client's read timeout (``intake.adapters.aws``: 30 s, the same
as ``Limits.ocr_page_timeout_s``); boto3 cannot change it per request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from intake.adapters.aws import LazyClient
from intake.referrals.ocr import OcrError, OcrLine, OcrPage, OcrWord

MAX_SYNC_BYTES = 10 * 1024 * 1024  # Textract's limit for Document.Bytes in synchronous calls


def pages_from_blocks(blocks: Iterable[Mapping[str, Any]]) -> list[OcrPage]:
    """Textract LINE blocks (in reading order) with their WORD children → one OcrPage per page."""
    blocks = list(blocks)
    words = {b["Id"]: b for b in blocks if b.get("BlockType") == "WORD"}
    pages: dict[int, list[OcrLine]] = {}
    for block in blocks:
        if block.get("BlockType") != "LINE":
            continue
        ids = [
            i
            for rel in block.get("Relationships", [])
            if rel.get("Type") == "CHILD"
            for i in rel.get("Ids", [])
        ]
        line_words = tuple(
            OcrWord(str(words[i].get("Text", "")), float(words[i].get("Confidence", 0.0)) / 100)
            for i in ids
            if i in words
        ) or (OcrWord(str(block.get("Text", "")), float(block.get("Confidence", 0.0)) / 100),)
        pages.setdefault(int(block.get("Page", 1)), []).append(OcrLine(line_words))
    return [OcrPage(tuple(lines)) for _page, lines in sorted(pages.items())]


class TextractOcr:
    """OCR through Textract; ``forms=True`` uses AnalyzeDocument (FORMS) instead of Detect."""

    name = "textract"

    textract = LazyClient("textract")

    def __init__(self, textract: Any = None, *, forms: bool = False) -> None:
        self._textract = textract
        self._forms = forms

    def _call(self, document: dict[str, Any]) -> list[OcrPage]:
        try:
            if self._forms:
                response = self.textract.analyze_document(Document=document, FeatureTypes=["FORMS"])
            else:
                response = self.textract.detect_document_text(Document=document)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            raise OcrError(f"Textract could not read the page ({code})") from exc
        except BotoCoreError as exc:
            raise OcrError(f"Textract did not answer ({type(exc).__name__})") from exc
        return pages_from_blocks(response.get("Blocks", []))

    def recognize(self, image: bytes, *, timeout_s: float) -> OcrPage:
        if len(image) > MAX_SYNC_BYTES:
            raise OcrError("the page image is larger than Textract accepts (10 MB)")
        pages = self._call({"Bytes": image})
        return pages[0] if pages else OcrPage(())

    def recognize_s3(self, bucket: str, key: str, version_id: str | None = None) -> list[OcrPage]:
        s3_object: dict[str, Any] = {"Bucket": bucket, "Name": key}
        if version_id:
            s3_object["Version"] = version_id
        return self._call({"S3Object": s3_object})
