"""OCR behind one small Protocol, so scanned faxes read the same locally and in AWS.

``TesseractOcr`` (pytesseract + the Debian ``tesseract-ocr`` package) serves local runs and
tests; ``intake.adapters.textract.TextractOcr`` serves AWS. Both return words grouped in lines,
each word with a 0-1 confidence, which ``fields`` turns into per-field confidences.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class OcrWord:
    text: str
    confidence: float  # 0.0-1.0


@dataclass(frozen=True)
class OcrLine:
    words: tuple[OcrWord, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class OcrPage:
    lines: tuple[OcrLine, ...]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class OcrError(Exception):
    """The engine could not read the image (timeout, crash, service error); plain words.
    ``timed_out``: it ran out of time (worth reading again later), not out of sense."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


@runtime_checkable
class OcrEngine(Protocol):
    """Reads one page image (PNG or JPEG bytes) into lines of words with confidences."""

    name: str

    def recognize(self, image: bytes, *, timeout_s: float) -> OcrPage: ...


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


class TesseractOcr:
    """Tesseract through pytesseract; the subprocess is killed at ``timeout_s``."""

    name = "tesseract"

    def __init__(self, *, lang: str = "eng", psm: int = 3) -> None:
        self._lang = lang
        self._config = f"--psm {psm}"

    def recognize(self, image: bytes, *, timeout_s: float) -> OcrPage:
        import pytesseract
        from PIL import Image

        try:
            with Image.open(io.BytesIO(image)) as img:
                img.load()
                data = pytesseract.image_to_data(
                    img,
                    lang=self._lang,
                    config=self._config,
                    output_type=pytesseract.Output.DICT,
                    timeout=timeout_s,
                )
        except RuntimeError as exc:  # pytesseract signals its timeout this way
            raise OcrError(
                f"OCR took longer than {timeout_s:g} seconds on a page", timed_out=True
            ) from exc
        except (pytesseract.TesseractError, OSError) as exc:
            raise OcrError(f"OCR could not read a page ({type(exc).__name__})") from exc
        return _page_from_tesseract(data)


def _page_from_tesseract(data: dict[str, list[object]]) -> OcrPage:
    lines: dict[tuple[int, int, int, int], list[OcrWord]] = {}
    for i, raw in enumerate(data["text"]):
        text = str(raw).strip()
        conf = float(str(data["conf"][i]))
        if not text or conf < 0:
            continue
        page, block, par, line = (
            int(str(data[k][i])) for k in ("page_num", "block_num", "par_num", "line_num")
        )
        key = (page, block, par, line)
        lines.setdefault(key, []).append(OcrWord(text, min(conf, 100.0) / 100.0))
    return OcrPage(tuple(OcrLine(tuple(words)) for _key, words in sorted(lines.items())))
