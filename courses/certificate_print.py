"""Printable files of rendered certificates (courses/certificate_render.py): one certificate, or a class's merged into
one PDF, page after page. The form layout (the values alone, for the pre-printed phôi) is shifted by the printer's
offset, in millimetres: across to the right, down the paper (Institution.form_offset_x_mm / form_offset_y_mm).

Nothing is rendered here: the stored PDFs are copied page by page (pikepdf), each source closed as soon as its page
is in, and the result is written to a temporary file, so a class of 500 needs no more memory than its files' size.
"""
from __future__ import annotations

import tempfile
from collections.abc import Iterable
from decimal import Decimal

import pikepdf

from courses.models import Certificate

FIELD_OF_LAYOUT = {"design": "pdf", "form": "form_pdf"}
POINTS_PER_MM = Decimal(72) / Decimal("25.4")


def shift_operator(*, offset_x_mm: Decimal, offset_y_mm: Decimal) -> bytes | None:
    """``1 0 0 1 dx dy cm``: the content moved ``offset_x_mm`` to the right and ``offset_y_mm`` down the paper (PDF's
    y axis points up, hence the minus); None when there is nothing to move."""
    dx = (Decimal(offset_x_mm) * POINTS_PER_MM).quantize(Decimal("0.001"))
    dy = (-Decimal(offset_y_mm) * POINTS_PER_MM).quantize(Decimal("0.001"))
    if not dx and not dy:
        return None
    return f"1 0 0 1 {dx:f} {dy:f} cm".encode("ascii")


def _shift(pdf: pikepdf.Pdf, page: pikepdf.Page, operator: bytes) -> None:
    """The page's content wrapped in ``q <shift> … Q``: its own streams untouched, one before and one after."""
    page.contents_add(pikepdf.Stream(pdf, b"q " + operator + b"\n"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"\nQ"), prepend=False)


def _stored_path(certificate: Certificate, layout: str) -> str:
    if layout not in FIELD_OF_LAYOUT:
        raise ValueError(f"unknown certificate layout {layout!r}")
    stored = getattr(certificate, FIELD_OF_LAYOUT[layout])
    if certificate.rendered_at is None or not stored.name:
        raise ValueError(f"certificate {certificate.serial} is not rendered yet")
    return stored.path


def merged_pdf(certificates: Iterable[Certificate], *, layout: str, offset_x_mm: Decimal = Decimal(0),
               offset_y_mm: Decimal = Decimal(0)):
    """One PDF of the certificates' ``layout`` files in the order given, as a temporary file rewound to its start
    (the caller closes it; FileResponse does). The offsets move the form layout only: the designed certificate is
    printed on plain paper. ValueError when one of them is not rendered yet (checked before anything is read)."""
    paths = [_stored_path(certificate, layout) for certificate in certificates]
    if not paths:
        raise ValueError("no certificate to print")
    operator = shift_operator(offset_x_mm=offset_x_mm, offset_y_mm=offset_y_mm) if layout == "form" else None
    output = tempfile.TemporaryFile()
    try:
        with pikepdf.new() as merged:
            for path in paths:
                with pikepdf.open(path) as source:
                    for page in source.pages:
                        merged.pages.append(page)
                        if operator is not None:
                            _shift(merged, merged.pages[-1], operator)
            merged.save(output)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output


def single_pdf(certificate: Certificate, *, layout: str, offset_x_mm: Decimal = Decimal(0),
               offset_y_mm: Decimal = Decimal(0)):
    """One certificate's printable file (the form layout shifted as in :func:`merged_pdf`)."""
    return merged_pdf([certificate], layout=layout, offset_x_mm=offset_x_mm, offset_y_mm=offset_y_mm)
