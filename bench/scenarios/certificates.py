"""Certificates (issue 20): issue a class's certificates through its page, let them render, fetch the merged file.

The user's path, in a fresh, normally migrated database (embedded mode: SQLite, one daphne process). Setup, in the
server's database before the server starts (a Django shell, not measured): a programme from the chuyên viên preset
with its training institution (letterhead, signer), a class of N learners that all qualify (20 sessions of 4
periods, every mark x, KT1/KT2/TH scores all passing, written in bulk like bench `courses` does) and a course manager,
who closes the class (courses.class_records.class_close). Then the server starts and the course manager, signed in
through the login form (APP_ENV=demo: no second factor), does what the Certificates page offers:

- page: GET `/courses/classes/<id>/certificates/` (the form, naming the N learners who wait);
- issue: POST of its form (issue date, decision number and date), answered by a redirect once the N serials, N
  register entries, N people-register entries and the audit record are committed;
- render: the page reloaded every second, as its notice asks, until the download links show: the background thread
  the issuing woke renders every certificate in child processes (CERTIFICATE_RENDER_BATCH per child, two PDFs each);
- print: GET `/courses/classes/<id>/certificates/print.pdf?layout=design` (the view `class_certificates_print`,
  merging the stored PDFs with courses.certificate_print.merged_pdf).

Reported: each request's time, the rendering's wall time (and per certificate), the merged file's size and page
count (must be N), the server's peak RSS (VmHWM) after the issuing, after the rendering and after the print. The same
merge is also run in a fresh `manage.py shell` process (merge_in_process: its time and the whole process's peak RSS),
a yardstick that does not depend on the view. Targets: 500 merged in < 30 s, peak memory < 500 MB.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import tempfile
import time
from decimal import Decimal

import httpx

from bench.common import base_parser, running_server, started_at, write_report
from bench.scenarios.course_checkin import CSRF, PASSWORD, login
from bench.scenarios.results import person_name

SESSIONS = 20
PERIODS = 4
MANAGER = "bench_manager"
PAGE_URL = "/courses/classes/{id}/certificates/"
PRINT_URL = "/courses/classes/{id}/certificates/print.pdf?layout=design"
RENDER_WAIT_S = 900

SETUP = """
from bench.scenarios.certificates import prepare
prepare(learners={learners}, password={password!r})
"""

MERGE_IN_PROCESS = """
import json, resource, time
from courses.certificate_print import merged_pdf
from courses.models import Certificate
began = time.perf_counter()
certificates = list(Certificate.objects.filter(enrolment__course_class_id={class_id}, status="valid"))
with merged_pdf(certificates, layout="design") as merged:
    size = merged.seek(0, 2)
print(json.dumps({{"merge_s": round(time.perf_counter() - began, 3), "bytes": size,
                  "process_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}}))
"""


def build_class(*, learners: int):
    """A finished class whose every learner qualifies, with its institution, in bulk (setup only)."""
    from django.utils import timezone

    from accounts.models import User
    from accounts.vietnamese import normalize_name, search_key
    from courses.models import Attendance, Enrolment, How, Institution, Module, Score, Session
    from courses.services import class_create, programme_create

    today = timezone.localdate()
    programme = programme_create(preset_slug="qlnn-chuyen-vien", actor=None)
    programme.institution = Institution.objects.create(
        name="Trường Chính trị tỉnh Thử Nghiệm", letterhead_line_1="UBND tỉnh Thử Nghiệm",
        letterhead_line_2="Trường Chính trị tỉnh Thử Nghiệm", signer_title="Hiệu trưởng", signer_name="Phạm Văn Ký",
        serial_prefix="TCT", place_name="Thành phố Thử Nghiệm")
    programme.save(update_fields=["institution"])
    starts_on = today - dt.timedelta(days=SESSIONS // 2 + 1)
    course_class = class_create(programme=programme, name="K60", starts_on=starts_on,
                                ends_on=today - dt.timedelta(days=1), actor=None)
    modules = list(Module.objects.filter(part__programme=programme, kind=Module.Kind.TEACHING)
                   .order_by("part__order", "order"))
    sessions = Session.objects.bulk_create([
        Session(course_class=course_class, date=starts_on + dt.timedelta(days=s // 2), half=("am", "pm")[s % 2],
                module=modules[s % len(modules)], periods=PERIODS) for s in range(SESSIONS)])
    users = []
    for n in range(learners):
        full_name = normalize_name(person_name(n))
        users.append(User(username=f"bench_hv{n:06d}", full_name=full_name, search_name=search_key(full_name),
                          date_of_birth=dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 28), gender=("Nam", "Nữ")[n % 2],
                          cccd=f"{880000000000 + n:012d}"))
    User.objects.bulk_create(users, batch_size=1000)
    people = dict(User.objects.filter(username__startswith="bench_hv").values_list("username", "pk"))
    Enrolment.objects.bulk_create([
        Enrolment(course_class=course_class, person_id=people[f"bench_hv{n:06d}"], list_order=n + 1,
                  unit_text=f"Sở thử nghiệm {n % 10:02d}", position_text="Chuyên viên") for n in range(learners)],
        batch_size=1000)
    enrolments = list(Enrolment.objects.filter(course_class=course_class).order_by("list_order"))
    Attendance.objects.bulk_create([Attendance(enrolment=e, session=s, mark="x", how=How.SHEET)
                                    for e in enrolments for s in sessions], batch_size=2000)
    assessments = list(programme.assessments.all())
    Score.objects.bulk_create([
        Score(enrolment=e, assessment=a, attempt=1, how=How.SHEET,
              value=Decimal(5 + (n * 7 + a.order * 3) % 50 / 10).quantize(Decimal("0.01")))
        for n, e in enumerate(enrolments) for a in assessments], batch_size=2000)
    return course_class


def prepare(*, learners: int, password: str) -> None:
    """Run in the server's database by `manage.py shell` (see the module's docstring); prints the class as JSON."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import Role
    from courses.class_records import class_close

    manager = User.objects.create(username=MANAGER, full_name="Quản Lý Đào Tạo", password=make_password(password))
    manager.groups.add(Group.objects.get(name=Role.COURSE_MANAGER))
    began = time.perf_counter()
    course_class = build_class(learners=learners)
    class_close(course_class=course_class, actor=manager)
    print(json.dumps({"class": course_class.pk, "setup_s": round(time.perf_counter() - began, 2),
                      "today": timezone.localdate().strftime("%d/%m/%Y")}))


def _pages(path: str) -> int | None:
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError:
        return None


async def issue_and_print(server, prepared: dict, learners: int) -> dict:
    """The course manager's visit to the Certificates page: the form, the issuing, the wait, the download."""
    client = await login(server.url, MANAGER)
    page_url = PAGE_URL.format(id=prepared["class"])
    try:
        began = time.perf_counter()
        page = await client.get(page_url)
        figures = {"page_status": page.status_code, "page_s": round(time.perf_counter() - began, 3)}
        began = time.perf_counter()
        issued = await client.post(page_url, data={
            "issued_on": prepared["today"], "decision_number": "125/QĐ-TCT", "decision_date": prepared["today"],
            "csrfmiddlewaretoken": CSRF.search(page.text).group(1)}, headers={"Referer": f"{server.url}{page_url}"},
            timeout=600)
        issued_at = time.perf_counter()
        figures |= {"issue_status": issued.status_code, "issue_s": round(issued_at - began, 3),
                    "server_peak_rss_mib_after_issue": server.peak_memory_mib()}
        rendered, polls = False, 0
        while time.perf_counter() - issued_at < RENDER_WAIT_S:
            await asyncio.sleep(1)
            polls += 1
            shown = await client.get(page_url)
            if 'id="print-design"' in shown.text:
                rendered = True
                break
        render_s = time.perf_counter() - issued_at
        figures |= {"rendered": rendered, "render_wall_s": round(render_s, 1), "page_reloads": polls,
                    "render_ms_per_certificate": round(render_s * 1000 / max(1, learners), 1),
                    "render_failed": 'id="render-failed"' in shown.text,
                    "server_peak_rss_mib_after_render": server.peak_memory_mib()}
        with tempfile.NamedTemporaryFile(suffix=".pdf") as out:
            began = time.perf_counter()
            async with client.stream("GET", PRINT_URL.format(id=prepared["class"]), timeout=600) as response:
                async for chunk in response.aiter_bytes():
                    out.write(chunk)
            merge_s = time.perf_counter() - began
            out.flush()
            size = out.tell()
            pages = _pages(out.name) if response.status_code == 200 else None
        return figures | {"print_status": response.status_code, "content_type": response.headers.get("content-type"),
                          "merge_s": round(merge_s, 3), "bytes": size, "pages": pages,
                          "server_peak_rss_mib": server.peak_memory_mib()}
    finally:
        await client.aclose()


def main(argv: list[str]) -> int:
    parser = base_parser("certificates", __doc__)
    parser.add_argument("--learners", type=int, default=500, help="learners of the class, all of them qualifying")
    args = parser.parse_args(argv)
    params = {k: v for k, v in vars(args).items()} | {"_started_at": started_at()}
    for key in ("DATABASE_URL", "REDIS_URL"):  # embedded mode only: SQLite files of its own, one daphne process
        os.environ.pop(key, None)
    with running_server(SETUP.format(learners=args.learners, password=PASSWORD)) as server:
        prepared = json.loads(server.setup_output.strip().splitlines()[-1])
        try:
            visit = asyncio.run(issue_and_print(server, prepared, args.learners))
        except (httpx.HTTPError, RuntimeError) as exc:
            visit = {"error": repr(exc)[:300]}
        server.stop()
        in_process = json.loads(server.manage("shell", "--verbosity", "0", "-c", MERGE_IN_PROCESS.format(
            class_id=prepared["class"])).strip().splitlines()[-1])
    printed = visit.get("print_status") == 200
    figures = {"setup": {"setup_s": prepared["setup_s"]}, "page_issue_render_print": visit,
               "merge_in_process": in_process,
               "targets": {"merge_s_under_30": printed and visit["merge_s"] < 30,
                           "peak_rss_under_500_mib": printed and (visit.get("server_peak_rss_mib") or 1e9) < 500}}
    write_report("certificates", params, figures, args.json)
    ok = (visit.get("issue_status") == 302 and visit.get("rendered") and not visit.get("render_failed")
          and printed and visit.get("pages") == args.learners)
    return 0 if ok else 1
