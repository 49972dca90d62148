"""The official document (.docx): what every administrative document an app drafts shares (Nghị định 30/2020/NĐ-CP,
Phụ lục I), as :mod:`accounts.official_sheets` is for workbooks.

A4 portrait with the decree's margins (:func:`new_document`), Times New Roman throughout (:func:`set_font`,
:func:`paragraph`), the heading block with the issuing authority and the number on the left and the national title,
motto and place/date line on the right (:func:`heading`), the red DỰ THẢO mark (:func:`draft_mark`), articles
(:func:`article`), the signature block beside ``Nơi nhận:`` (:func:`signature`), a page break before an attached
list (:func:`page_break`) and the list's table with its header repeated on every page (:func:`data_table`). What a
document says (its legal bases, its articles) stays with the app that issues it: the promotion exam's decision
(``exams.results.decision``), the certificate decision (``courses.certificate_exports``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from accounts.official_sheets import NATIONAL_MOTTO, NATIONAL_TITLE

FONT = "Times New Roman"
BODY_SIZE = Pt(14)
TABLE_SIZE = Pt(12)
CELL_SIZE = Pt(13)  # the heading block's lines
DRAFT_MARK = "DỰ THẢO"
DRAFT_COLOUR = RGBColor(0xC0, 0x00, 0x00)

LEFT, CENTER, JUSTIFY = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY

Line = tuple[str, dict]  # (text, run options: align, bold, italic, size, underline)


def set_font(run, *, size=None, bold=None, italic=None) -> None:
    """Times New Roman on a run (East Asian text too), then the given size and emphasis."""
    run.font.name = FONT
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic


def paragraph(container, text: str = "", *, align=JUSTIFY, bold=False, italic=False, size=None, indent: bool = False,
              after: int = 6, underline: bool = False):
    """A paragraph of ``container`` (the document or a cell): no space before, ``after`` points after, a first-line
    indent of 1.27 cm when ``indent``; ``text`` as one run."""
    added = container.add_paragraph()
    added.alignment = align
    added.paragraph_format.space_after = Pt(after)
    added.paragraph_format.space_before = Pt(0)
    if indent:
        added.paragraph_format.first_line_indent = Cm(1.27)
    if text:
        run = added.add_run(text)
        set_font(run, size=size, bold=bold, italic=italic)
        run.underline = underline
    return added


def cell_lines(cell, lines: Iterable[Line]) -> None:
    """Replace a table cell's content by lines (text, run options), centred unless an option says otherwise."""
    first = cell.paragraphs[0]._element
    first.getparent().remove(first)
    for text, options in lines:
        paragraph(cell, text, align=options.get("align", CENTER), bold=options.get("bold", False),
                  italic=options.get("italic", False), size=options.get("size", CELL_SIZE), after=0,
                  underline=options.get("underline", False))


def new_document() -> Document:
    """An A4 portrait document, Times New Roman 14, margins 2 cm top and bottom, 3 cm left, 1.5 cm right."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    return document


def document_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def heading(document, *, authority_1: str, authority_2: str, number_line: str, date_line: str) -> None:
    """The authority (its second line bold) and the number on the left; the national title, the motto and the
    place/date line on the right; a short space below."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(10)
    cell_lines(left, [(authority_1, {}), (authority_2, {"bold": True}), ("", {}), (number_line, {})])
    cell_lines(right, [(NATIONAL_TITLE, {"bold": True}), (NATIONAL_MOTTO, {"bold": True, "underline": True}),
                       ("", {}), (date_line, {"italic": True})])
    paragraph(document, after=6)


def draft_mark(document, text: str = DRAFT_MARK):
    """DỰ THẢO, bold and red, centred above the title while the document is not final."""
    added = paragraph(document, text, align=CENTER, bold=True)
    added.runs[0].font.color.rgb = DRAFT_COLOUR
    return added


def article(document, number: int, text: str):
    """``Điều n.`` in bold, then the article's text, first line indented."""
    added = paragraph(document, indent=True)
    set_font(added.add_run(f"Điều {number}. "), bold=True)
    set_font(added.add_run(text))
    return added


def signature(document, *, recipients: Sequence[str], title_lines: Sequence[str], signer_name: str) -> None:
    """``Nơi nhận:`` and the recipients on the left; the signer's title lines, room to sign and the name on the
    right."""
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Cm(8), Cm(8.5)
    left_lines = [("Nơi nhận:", {"bold": True, "italic": True, "align": LEFT, "size": TABLE_SIZE})]
    left_lines += [(line, {"align": LEFT, "size": Pt(11)}) for line in recipients]
    cell_lines(left, left_lines)
    right_lines = [(line, {"bold": True, "size": BODY_SIZE}) for line in title_lines]
    right_lines += [("", {})] * 4
    right_lines.append((signer_name.strip(), {"bold": True, "size": BODY_SIZE}))
    cell_lines(right, right_lines)


def page_break(document) -> None:
    """What follows starts on a page of its own (an attached list)."""
    run = paragraph(document).add_run()
    set_font(run)
    run.add_break(WD_BREAK.PAGE)


def repeat_header(row) -> None:
    """Mark a table row as a header repeated on every page."""
    properties = row._tr.get_or_add_trPr()
    element = properties.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    properties.append(element)


def data_table(document, *, headers: Sequence[str], rows: Iterable[Sequence[str]], widths_cm: Sequence[float],
               left_columns: Iterable[int] = ()):
    """A bordered list table, centred: the header bold and repeated on every page, then one row per item (12 pt,
    the ``left_columns`` left-aligned, the others centred), each column ``widths_cm`` wide."""
    left_columns = frozenset(left_columns)
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell_lines(cell, [(text, {"bold": True, "size": TABLE_SIZE})])
    repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for col, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell_lines(cell, [(text, {"size": TABLE_SIZE, "align": LEFT if col in left_columns else CENTER})])
    for col, width in enumerate(widths_cm):
        for cell in table.columns[col].cells:
            cell.width = Cm(width)
    return table
