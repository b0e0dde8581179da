"""Fonts for the packet PDF: Unicode names (Sofía, 陈) must print, on any machine.

Search order: ``INTAKE_PDF_FONT_DIR``, fonts bundled in the layer (``intake/data/fonts``), then
the Debian font packages ``fonts-dejavu-core`` (Latin, Greek, Cyrillic) and
``fonts-droid-fallback`` (CJK; ``fonts-noto-cjk`` also works). Without any of them the PDF
falls back to the core Helvetica font: accents are transliterated (Sofía → Sofia) and other
characters print as "?", and the packet says so on its first page (the original referral,
appended, still carries the exact spelling).
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

FONT_DIR_ENV = "INTAKE_PDF_FONT_DIR"
_SYSTEM_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/truetype/droid",
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/wqy",
)
_LATIN = ("DejaVuSans.ttf",)
_LATIN_BOLD = ("DejaVuSans-Bold.ttf",)
_CJK = (("DroidSansFallbackFull.ttf", 0), ("NotoSansCJK-Regular.ttc", 2), ("wqy-microhei.ttc", 0))
"""(file, face index): Noto CJK's face 2 is Simplified Chinese."""


@dataclass(frozen=True, slots=True)
class FontFile:
    path: Path
    index: int = 0


@dataclass(frozen=True, slots=True)
class FontPlan:
    """Which files to embed; ``None`` regular means core Helvetica (Latin-1 only)."""

    regular: FontFile | None
    bold: FontFile | None = None
    fallback: tuple[FontFile, ...] = field(default_factory=tuple)

    @property
    def unicode(self) -> bool:
        return self.regular is not None

    def for_text(self, text: str) -> FontPlan:
        """This plan without the fallback fonts when the regular font covers ``text``:
        embedding a CJK font costs ~0.3 s, most packets never need it."""
        if self.regular is None or not self.fallback:
            return self
        covered = _coverage(self.regular)
        if all(ord(ch) in covered for ch in set(text) if ch not in "\n\r\t"):
            return FontPlan(self.regular, self.bold)
        return self


def _dirs() -> list[Path]:
    out = []
    env = os.environ.get(FONT_DIR_ENV)
    if env:
        out.append(Path(env))
    bundled = resources.files("intake.data").joinpath("fonts")
    out.append(Path(str(bundled)))
    out.extend(Path(d) for d in _SYSTEM_DIRS)
    return out


def _find(name: str) -> Path | None:
    for d in _dirs():
        candidate = d / name
        if candidate.is_file():
            return candidate
    return None


@cache
def font_plan() -> FontPlan:
    """The fonts found on this machine (looked up once per process)."""
    regular = next((FontFile(p) for n in _LATIN if (p := _find(n))), None)
    if regular is None:
        return FontPlan(None)
    bold = next((FontFile(p) for n in _LATIN_BOLD if (p := _find(n))), None)
    cjk = tuple(FontFile(p, i) for n, i in _CJK if (p := _find(n)))
    return FontPlan(regular, bold, cjk[:1])


@cache
def _coverage(font: FontFile) -> frozenset[int]:
    try:
        with TTFont(str(font.path), fontNumber=font.index, lazy=True) as tt:
            cmap = tt.getBestCmap() or {}
            return frozenset(cmap)
    except (OSError, TTLibError):
        return frozenset()


class TextFitter:
    """Makes text printable with the planned fonts, remembering whether anything was lost."""

    def __init__(self, plan: FontPlan) -> None:
        self.plan = plan
        self.lost = False
        self._covered: frozenset[int] = frozenset().union(
            *(_coverage(f) for f in (plan.regular, *plan.fallback) if f is not None)
        )

    def _ok(self, ch: str) -> bool:
        if ch in "\n\t":
            return True
        if self.plan.regular is None:
            return ord(ch) < 256
        return ord(ch) in self._covered

    def fit(self, text: str) -> str:
        out = []
        for ch in text:
            if self._ok(ch):
                out.append(ch)
                continue
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            if base and all(self._ok(c) for c in base):
                out.append(base)
            else:
                out.append("?")
            self.lost = True
        return "".join(out)
