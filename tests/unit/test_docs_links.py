"""Every relative link in the README and docs/ leads somewhere.

The README is the newcomer's map and docs/ holds the rest of the guide, one page per subject;
a page that is moved or renamed (or code that a "where to start reading" link names) must not
leave a reader at a dead link. External links (http, mailto) are not checked: no network here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True)
class BrokenLink:
    page: str
    target: str
    reason: str


def _prose(text: str) -> str:
    """The page without code blocks and code spans, where brackets are not links."""
    return _CODE_SPAN.sub("", _FENCE.sub("", text))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = _CODE_SPAN.sub(lambda m: m.group(0).strip("`"), heading).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(h) for h in _HEADING.findall(_FENCE.sub("", page.read_text(encoding="utf-8")))}


def broken_links(page: Path) -> list[BrokenLink]:
    """The relative links of one Markdown page that lead to no file, or to no heading in it."""
    broken: list[BrokenLink] = []
    for target in _LINK.findall(_prose(page.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            continue  # http:, https:, mailto:
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if not linked.exists():
            broken.append(BrokenLink(page.name, target, "no such file"))
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(BrokenLink(page.name, target, "no such heading"))
    return broken


def test_the_readme_and_docs_pages_are_found() -> None:
    """Given the repository, then the README and the docs pages it links exist, so the link
    check below has pages to read (an empty list would pass vacuously)."""
    names = {page.name for page in PAGES}
    assert {"README.md", "design.md", "operations.md", "figures.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_resolves(page: Path) -> None:
    """Given a page of the guide, when its relative links are followed, then each reaches a
    file, and each #anchor into a Markdown page a heading of that page."""
    assert broken_links(page) == []


def test_a_broken_link_and_a_missing_heading_are_reported(tmp_path: Path) -> None:
    """Given a page with a link to a missing file, one to a missing heading, and links that are
    fine or external, when it is checked, then exactly the two broken ones are reported (the
    check can fail, and brackets in code are not taken for links)."""
    (tmp_path / "other.md").write_text("# Other page\n\n## The referral's path\n")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n"
        "[gone](missing.md) [no heading](other.md#nowhere) [fine](other.md#the-referrals-path)\n"
        "[self](#page) [web](https://example.org/x) `[code](not-a-link.md)`\n\n"
        "```\n[fenced](also-not-a-link.md)\n```\n"
    )
    assert broken_links(page) == [
        BrokenLink("page.md", "missing.md", "no such file"),
        BrokenLink("page.md", "other.md#nowhere", "no such heading"),
    ]
