"""Certificates to PDF, once each, outside the request lanes (docs/certificates.md).

Two files per certificate: the designed certificate (layout "design": border, letterhead, every word) and the
variable text alone, placed in millimetres for the institution's pre-printed form (layout "form", phôi), both at zero
offset (the printer's shift is applied when printing: courses/certificate_print.py). What the paper says is the
certificate's own snapshot, never today's data.

Issuing calls :func:`wake` after its commit: a daemon thread of that process renders what is pending and exits.
Rendering runs in a child process (courses/pdf_child.py) per batch of CERTIFICATE_RENDER_BATCH certificates, capped
in memory and CPU time; the parent builds the HTML (cheap) and stores the result. A certificate is claimed by
compare-and-set on ``render_claimed_at`` before it is rendered, so several processes (several daphne processes, the
``render_certificates`` command) never render the same one; a claim older than CERTIFICATE_RENDER_STALE_SECONDS
(its process died) is taken over.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import unicodedata
from dataclasses import dataclass

import qrcode
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from qrcode.constants import ERROR_CORRECT_M

from accounts.officialdates import official_date
from courses import pdf_child
from courses.models import Certificate
from exam_platform.dbgate import write_gate

logger = logging.getLogger(__name__)
CHILD_MODULE = "courses.pdf_child"
LAYOUTS = ("design", "form")
FIELD_OF_LAYOUT = {"design": "pdf", "form": "form_pdf"}
QR_SIZE = "28mm"
TITLES = {Certificate.Kind.CERTIFICATE: "CHỨNG CHỈ",
          Certificate.Kind.COMPLETION: "GIẤY CHỨNG NHẬN HOÀN THÀNH CHƯƠNG TRÌNH BỒI DƯỠNG"}
HOLDER_TITLES = {"Nam": "Ông", "Nữ": "Bà"}


@dataclass(frozen=True)
class RenderReport:
    rendered: int
    failed: int


# --- the pages -----------------------------------------------------------------------------------------------------

def qr_svg(url: str) -> str:
    """The QR code of ``url`` (error correction M, the standard quiet zone of 4 modules) as an inline SVG 28 mm wide.

    Drawn from the qrcode package's matrix as one path of horizontal runs rather than by its SvgPathImage (one square
    per module): the same picture in half the path, and WeasyPrint parses SVG paths in Python (bench `certificates`:
    the QR code was a third of a page's rendering time)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            runs.append(f"M{start} {y}h{x - start}v1h{start - x}z")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{QR_SIZE}" '
            f'height="{QR_SIZE}" shape-rendering="crispEdges"><path fill="#000" d="{"".join(runs)}"/></svg>')


def _nfc(value) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


def _day(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def programme_line(name: str) -> str:
    """``Bồi dưỡng …``: the programme's name as the certificate's subtitle (the presets' names begin so already)."""
    name = _nfc(name)
    return name if name.casefold().startswith("bồi dưỡng") else f"Bồi dưỡng {name}"


def _basis(legal_basis: str) -> str:
    basis = _nfc(legal_basis)
    if not basis:
        return ""
    return basis if basis.casefold().startswith("căn cứ") else f"Căn cứ {basis}"


def certificate_context(certificate: Certificate) -> dict:
    """Every value the two layouts print, as text (NFC), from the certificate's snapshot."""
    letterhead = [_nfc(line).upper() for line in (certificate.letterhead_line_1, certificate.letterhead_line_2)
                  if _nfc(line)] or [_nfc(certificate.institution_name).upper()]
    line = programme_line(certificate.programme_name)
    stands_for = certificate.stands_for.serial if certificate.stands_for_id else ""
    decision = ""
    if _nfc(certificate.decision_number):
        decision = f"Theo Quyết định số {_nfc(certificate.decision_number)}"
        if certificate.decision_date:
            decision += f" ngày {_day(certificate.decision_date)}"
    return {
        "title": TITLES.get(certificate.kind, TITLES[Certificate.Kind.CERTIFICATE]),
        "completion": certificate.kind == Certificate.Kind.COMPLETION,
        "stands_for": _nfc(stands_for) if certificate.kind == Certificate.Kind.COMPLETION else "",
        "letterhead": letterhead,
        "programme_name": _nfc(certificate.programme_name),
        "programme_line": line,
        "programme_phrase": "chương trình " + line[:1].lower() + line[1:],
        "basis": _basis(certificate.legal_basis),
        "decision": decision,
        "holder_title": HOLDER_TITLES.get(certificate.holder_gender, "Ông/Bà"),
        "holder_name": _nfc(certificate.holder_name),
        "birth_date": _day(certificate.holder_birth_date),
        "unit": _nfc(certificate.holder_unit),
        "class_name": _nfc(certificate.class_name),
        "starts_on": _day(certificate.starts_on),
        "ends_on": _day(certificate.ends_on),
        "band": _nfc(certificate.band),
        "place_date": _nfc(official_date(certificate.issued_on, _nfc(certificate.place_name) or None)),
        "signer_title": _nfc(certificate.signer_title).upper(),
        "signer_name": _nfc(certificate.signer_name),
        "serial": _nfc(certificate.serial),
        "register": f"{certificate.register_number}/{certificate.register_year}",
        "verify_url": certificate.verify_url,
        "qr": mark_safe(qr_svg(certificate.verify_url)),  # noqa: S308 - drawn here from the URL, no user markup
    }


def certificate_html(certificate: Certificate, *, layout: str, context: dict | None = None) -> str:
    """The page WeasyPrint renders: layout "design" (the whole certificate) or "form" (the values for the phôi).
    ``context``: :func:`certificate_context` of the certificate when the caller has it already (both layouts)."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown certificate layout {layout!r}")
    context = certificate_context(certificate) if context is None else context
    return unicodedata.normalize("NFC", render_to_string(f"courses/certificates/pdf_{layout}.html", {"c": context}))


# --- the child -----------------------------------------------------------------------------------------------------

def child_command() -> list[str]:
    return [sys.executable, "-m", CHILD_MODULE, str(settings.CERTIFICATE_RENDER_MEMORY_BYTES),
            str(settings.CERTIFICATE_RENDER_CPU_SECONDS)]


def _child_env() -> dict:
    # A bare environment: the child needs none of the server's secrets. HOME lets fontconfig find its cache.
    env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"}
    for name in ("HOME", "XDG_CACHE_HOME", "FONTCONFIG_PATH"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


def run_child(jobs: list[dict]) -> list[dict]:
    """Render ``jobs`` ({"html", "out"}) in one child process; an answer {"ok", "error"} per job, in order.

    A child that dies (memory, CPU time, the wall-clock limit of CERTIFICATE_RENDER_STALE_SECONDS: a claim is not
    held longer) leaves the PDFs it finished: those are whole (written under another name and moved into place)."""
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        stdin.write(json.dumps(jobs).encode())
        stdin.seek(0)
        try:
            completed = subprocess.run(child_command(), stdin=stdin, stdout=stdout, stderr=stderr,
                                       cwd=settings.BASE_DIR, env=_child_env(),
                                       timeout=settings.CERTIFICATE_RENDER_STALE_SECONDS, check=False)
            code = completed.returncode
        except subprocess.TimeoutExpired:  # run() has killed the child and reaped it
            code = None
        answers = None
        if code == 0:
            stdout.seek(0)
            try:
                answers = json.loads(stdout.read())
            except ValueError:
                answers = None
        if isinstance(answers, list) and len(answers) == len(jobs):
            return answers
        stderr.seek(0)
        logger.warning("certificate renderer exited %s: %s", code, stderr.read(4096).decode("utf-8", "replace"))
    reason = _death(code)
    return [{"ok": True} if os.path.exists(job["out"]) else {"ok": False, "error": reason} for job in jobs]


def _death(code: int | None) -> str:
    """Why a whole batch failed, in the site's language (kept on each of its certificates: render_error)."""
    if code is None:
        return _("rendering took longer than {seconds} s and was stopped").format(
            seconds=settings.CERTIFICATE_RENDER_STALE_SECONDS)
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return _("rendering used its {seconds} s of CPU time and was stopped").format(
            seconds=settings.CERTIFICATE_RENDER_CPU_SECONDS)
    if code == pdf_child.EXIT_MEMORY:
        return _("rendering ran out of the memory it may use")
    return _("rendering stopped unexpectedly (exit code {code})").format(code=code)


# --- claiming and storing -------------------------------------------------------------------------------------------

def claimable(limit: int, *, exclude=()) -> list[tuple[int, dt.datetime | None]]:
    """(pk, render_claimed_at) of up to ``limit`` certificates waiting for their PDFs: never claimed, or claimed
    longer ago than CERTIFICATE_RENDER_STALE_SECONDS."""
    stale_before = timezone.now() - dt.timedelta(seconds=settings.CERTIFICATE_RENDER_STALE_SECONDS)
    return list(Certificate.objects.filter(rendered_at__isnull=True)
                .filter(Q(render_claimed_at__isnull=True) | Q(render_claimed_at__lt=stale_before))
                .exclude(pk__in=list(exclude)).order_by("pk").values_list("pk", "render_claimed_at")[:limit])


def claim(candidates: list[tuple[int, dt.datetime | None]], *, now: dt.datetime) -> list[int]:
    """The candidates this process now holds: each taken by compare-and-set on the claim it was read with, so a
    row another process claimed in between is not taken (the UPDATE matches nothing)."""
    mine = []
    with write_gate(), transaction.atomic():
        for pk, seen in candidates:
            if Certificate.objects.filter(pk=pk, rendered_at__isnull=True, render_claimed_at=seen).update(
                    render_claimed_at=now):
                mine.append(pk)
    return mine


def _remove(paths) -> None:
    for path in paths:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
        except OSError:
            logger.warning("certificate file %s not removed", path, exc_info=True)


def _render_batch(pks: list[int], *, claimed_at: dt.datetime) -> tuple[int, int]:
    certificates = list(Certificate.objects.filter(pk__in=pks).select_related("stands_for").order_by("pk"))
    errors: dict[int, str] = {}
    plans = []  # (certificate, {field: name}, {field: path})
    jobs = []
    for certificate in certificates:
        try:
            context = certificate_context(certificate)  # the QR code drawn once for both layouts
            pages = {layout: certificate_html(certificate, layout=layout, context=context) for layout in LAYOUTS}
        except Exception as exc:  # noqa: BLE001 - one certificate's page, not the batch
            logger.exception("certificate %s: page not built", certificate.pk)
            errors[certificate.pk] = f"{exc.__class__.__name__}: {exc}"
            continue
        names, paths = {}, {}
        for layout, page in pages.items():
            field = FIELD_OF_LAYOUT[layout]
            names[field] = Certificate._meta.get_field(field).generate_filename(certificate, "certificate.pdf")
            paths[field] = default_storage.path(names[field])
            jobs.append({"html": page, "out": paths[field]})
        plans.append((certificate, names, paths))
    answers = iter(run_child(jobs) if jobs else [])
    done = []
    for certificate, names, paths in plans:
        results = [next(answers) for _field in names]
        problems = list(dict.fromkeys(answer.get("error") or "?" for answer in results if not answer.get("ok")))
        if problems:
            errors[certificate.pk] = "; ".join(problems)
            _remove(paths.values())
        else:
            done.append((certificate, names, paths))
    now = timezone.now()
    rendered = 0
    with write_gate(), transaction.atomic():
        for certificate, names, paths in done:
            if Certificate.objects.filter(pk=certificate.pk, render_claimed_at=claimed_at).update(
                    rendered_at=now, render_claimed_at=None, render_error="", **names):
                rendered += 1
            else:  # the claim was taken over (this batch ran past the stale limit): the other process stores its own
                _remove(paths.values())
        for pk, error in errors.items():
            Certificate.objects.filter(pk=pk, render_claimed_at=claimed_at).update(
                render_claimed_at=None, render_error=error[:pdf_child.ERROR_CHARS])
            logger.warning("certificate %s not rendered: %s", pk, error)
    return rendered, len(errors)


def render_pending(*, limit: int | None = None) -> RenderReport:
    """Render the certificates waiting for their PDFs, a batch at a time, until none is left (or ``limit`` have
    been tried). One that fails keeps its error in ``render_error`` and is tried again by the next call, not this
    one."""
    rendered = failed = 0
    tried: set[int] = set()
    while limit is None or len(tried) < limit:
        size = settings.CERTIFICATE_RENDER_BATCH if limit is None else min(settings.CERTIFICATE_RENDER_BATCH,
                                                                          limit - len(tried))
        candidates = claimable(size, exclude=tried)
        if not candidates:
            break
        tried.update(pk for pk, _seen in candidates)
        now = timezone.now()
        mine = claim(candidates, now=now)
        if not mine:
            continue
        batch_rendered, batch_failed = _render_batch(mine, claimed_at=now)
        rendered += batch_rendered
        failed += batch_failed
    return RenderReport(rendered=rendered, failed=failed)


# --- the background thread -----------------------------------------------------------------------------------------

_lock = threading.Lock()
_again = threading.Event()
_worker: threading.Thread | None = None


def wake() -> None:
    """Render what is pending on a daemon thread of this process (one at a time; if it is running, it goes round
    once more). Safe in ``transaction.on_commit``: it returns at once and never raises."""
    global _worker
    try:
        with _lock:
            _again.set()
            if _worker is not None:
                return
            _worker = threading.Thread(target=_work, name="certificate-render", daemon=True)
            _worker.start()
    except Exception:  # noqa: BLE001 - issuing has committed; the command renders what this missed
        logger.exception("certificate rendering not started")
        with _lock:
            _worker = None


def busy() -> bool:
    """Is this process's rendering thread at work?"""
    with _lock:
        return _worker is not None


def _work() -> None:
    global _worker
    try:
        while True:
            with _lock:
                if not _again.is_set():
                    _worker = None
                    return
                _again.clear()
            try:
                report = render_pending()
                logger.info("certificates rendered=%s failed=%s", report.rendered, report.failed)
            except Exception:  # noqa: BLE001 - logged; the next wake or the command tries again
                logger.exception("certificate rendering failed")
    finally:
        with _lock:
            if _worker is threading.current_thread():
                _worker = None
        connection.close()
