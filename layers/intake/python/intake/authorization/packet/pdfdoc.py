"""A small fpdf2 document with the packet's typography: headings, label/value rows, text.

fpdf2 rather than reportlab: it is pure Python with no C extensions (the Lambda layer stays
small and builds the same on any machine), embeds TrueType subsets with fallback fonts for
CJK, and its MIT/LGPL licence is simple; reportlab's platypus is richer than a fax needs.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from intake.authorization.packet.fonts import FontPlan, TextFitter

BODY = "body"
_CJK = "cjk"
LINE = 5.2


class PacketDoc(FPDF):
    """Letter-size pages with a "Page n of N" footer naming the packet id (no PHI); with
    ``total_pages`` N counts an appended PDF original too (its pages are stamped after)."""

    def __init__(
        self,
        plan: FontPlan,
        footer_text: str,
        attached_pages: int = 0,
        total_pages: int | None = None,
    ) -> None:
        super().__init__(format="letter", unit="mm")
        self.total_pages = total_pages
        self.letter_at = 0
        """Page index where the letter starts (a signed copy is put in there)."""
        self.inserted_at_letter = 0
        """Pages of a signed letter put in at ``letter_at``: later pages number after them."""
        self.fitter = TextFitter(plan)
        self.footer_text = footer_text
        self.attached_pages = attached_pages
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)
        self.set_creator("intake prior authorization")
        if plan.regular is None:
            self.family = "helvetica"
            return
        self.family = BODY
        self.add_font(BODY, "", str(plan.regular.path))
        bold = plan.bold or plan.regular
        self.add_font(BODY, "B", str(bold.path))
        fallbacks = []
        for n, font in enumerate(plan.fallback):
            name = f"{_CJK}{n}"
            self.add_font(name, "", str(font.path), collection_font_number=font.index)
            fallbacks.append(name)
        if fallbacks:
            self.set_fallback_fonts(fallbacks, exact_match=False)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(self.family, "", 8)
        if self.total_pages is not None:
            total = f" of {self.total_pages}"
        else:
            total = " of {nb}" + (
                f" + {self.attached_pages} attached" if self.attached_pages else ""
            )
        n = self.page_no()
        if self.letter_at and n > self.letter_at:
            n += self.inserted_at_letter
        self.cell(0, 5, self.fitter.fit(f"{self.footer_text}    Page {n}{total}"), align="C")

    def heading(self, text: str, size: float = 13) -> None:
        """A heading never ends a page: with less than three lines of room below it, it
        starts the next page with its content."""
        if self.get_y() + size * 0.5 + 4 * LINE > self.page_break_trigger:
            self.add_page()
        self.ln(2)
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.fitter.fit(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(120, 120, 120)
        self.line(self.l_margin, self.get_y() + 0.8, self.w - self.r_margin, self.get_y() + 0.8)
        self.ln(2.5)

    def row(self, label: str, value: str | None, label_width: float = 48) -> None:
        """``Label: value`` with the value wrapping in its own column."""
        if self.get_y() + 2 * LINE > self.page_break_trigger:
            self.add_page()
        self.set_font(self.family, "B", 9.5)
        y, page = self.get_y(), self.page
        self.multi_cell(label_width, LINE, self.fitter.fit(label), new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.set_font(self.family, "", 9.5)
        self.multi_cell(
            0, LINE, self.fitter.fit(value if value else "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        if self.page == page:
            self.set_y(max(self.get_y(), y + LINE))

    def para(self, body: str, size: float = 9.5, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, size * 0.55, self.fitter.fit(body), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def gap(self, height: float = 2.5) -> None:
        self.ln(height)
