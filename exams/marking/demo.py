"""Demo data for written subjects (issue 7), so `make run` shows both ends of marking:

- an exam in marking whose CMNV paper scripts are coded, scanned and assigned; demo_marker sits on its marking
  board with scripts waiting (one already marked, so the other mark shows once both are in);
- a published exam whose appeal window is open, with demo_candidate among its candidates; demo_marker sits on
  its re-marking board, demo_hr (the council secretary) heads the boards.

Everything goes through the marking and results services, as a real exam would.
"""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from exams.marking import services as marking_svc
from exams.marking.models import Script, ScriptScan
from exams.results import services as results_svc
from exams.results.models import ScoreEntry
from exams.sessions.models import CouncilMember, Exam, Registration, Subject
from exams.sessions.services import exam_create, exam_transition, numbers_assign

PRESET = "nang-ngach-chuyen-vien-chinh-2020"  # the chuyên viên preset stays the main demo exam's alone
DEMO_MARKING_EXAM = "Kỳ thi nâng ngạch chuyên viên chính năm 2026 – chấm bài viết (demo)"
DEMO_APPEAL_EXAM = "Kỳ thi nâng ngạch chuyên viên chính năm 2024 (demo, đang nhận phúc khảo)"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
D = Decimal


def seed_marking_exams() -> dict:
    return {"marking_exams_created": _marking_exam() + _appeal_exam()}


def _scan_png() -> bytes:
    """One sample page of a handwritten answer, shown for every demo script (drawn once, ~20 ms)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1240, 700), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 30) if FONT.exists() else ImageFont.load_default()
    lines = ["BÀI THI VIẾT – MÔN CHUYÊN MÔN, NGHIỆP VỤ (bản quét mẫu)", "",
             "Câu 1. Cải cách thủ tục hành chính theo cơ chế một cửa, một cửa liên thông",
             "giúp người dân và doanh nghiệp giảm thời gian, chi phí khi giải quyết hồ sơ.",
             "Câu 2. Vai trò của công chức trong việc công khai, minh bạch thủ tục ..."]
    for n, line in enumerate(lines):
        draw.text((60, 60 + 60 * n), line, fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class _Scans:
    """Stores the sample page once and points every demo scan at the same file."""

    def __init__(self) -> None:
        self.data = _scan_png()
        self.sha256 = hashlib.sha256(self.data).hexdigest()
        self.name: str | None = None

    def attach(self, script: Script, actor: User) -> None:
        scan = ScriptScan(script=script, content_type="image/png", extension=".png", size=len(self.data),
                          sha256=self.sha256, uploaded_by=actor)
        if self.name is None:
            scan.file.save(f"{self.sha256}.png", ContentFile(self.data), save=False)
            self.name = scan.file.name
        else:
            scan.file.name = self.name
        scan.save()


def _people(count: int, *, avoid_units: set[int | None], exclude: set[int]) -> list[User]:
    return list(User.objects.filter(cccd__isnull=False).exclude(username__startswith="demo_")
                .exclude(unit_id__in=[u for u in avoid_units if u is not None]).exclude(pk__in=exclude)
                .order_by("pk")[:count])


def _exam(name: str, *, quota: int, cutoff, candidates: list[User], boards: list[tuple[User, str, str]]) -> Exam:
    hr = User.objects.get(username="demo_hr")
    exam = exam_create(preset_slug=PRESET, name=name, actor=hr, quota=quota, cutoff=cutoff)
    for user, board, position in [(User.objects.get(username="demo_council"), "council", "chair"),
                                  (hr, "council", "secretary"), *boards]:
        CouncilMember.objects.create(exam=exam, user=user, board=board, position=position)
    Registration.objects.bulk_create([
        Registration(exam=exam, person=p, list_order=n, candidate_number=f"~{p.pk}", position_text=p.position,
                     unit=p.unit, unit_text=str(p.unit or ""), rank=p.rank, rank_text=p.rank.name if p.rank else "",
                     service_start=p.service_start)
        for n, p in enumerate(candidates, start=1)])
    numbers_assign(exam=exam)
    for step in (Exam.Status.REGISTRATION, Exam.Status.SCHEDULED, Exam.Status.RUNNING, Exam.Status.MARKING):
        exam_transition(exam=exam, to=step, actor=None, reason="demo")
    return exam


def _scripts(exam: Exam, scans: _Scans) -> tuple[Subject, list[Script]]:
    hr = User.objects.get(username="demo_hr")
    subject = Subject.objects.get(exam=exam, code="CMNV")
    scripts = []
    for registration in Registration.objects.filter(exam=exam).order_by("candidate_number"):
        script = marking_svc.paper_script(registration=registration, subject=subject, actor=hr)
        scans.attach(script, hr)
        scripts.append(script)
    marking_svc.markers_assign(subject=subject, actor=hr)
    return subject, scripts


def _marking_exam() -> int:
    if Exam.objects.filter(name=DEMO_MARKING_EXAM).exists():
        return 0
    marker = User.objects.get(username="demo_marker")
    others = _people(2, avoid_units={marker.unit_id}, exclude=set())
    candidates = _people(8, avoid_units={marker.unit_id, *(o.unit_id for o in others)},
                         exclude={o.pk for o in others})
    exam = _exam(DEMO_MARKING_EXAM, quota=4, cutoff=timezone.localdate(), candidates=candidates,
                 boards=[(marker, "marking", "member"), *((o, "marking", "member") for o in others)])
    _subject, scripts = _scripts(exam, _Scans())
    # The other markers have marked; demo_marker has marked one script, the rest wait for them.
    marked_one = False
    for n, script in enumerate(scripts):
        for marking in script.markings.order_by("round"):
            if marking.marker_id == marker.pk:
                if marked_one:
                    continue
                marked_one = True
            marking_svc.mark_record(marking=marking, mark=D(55 + (n * 7) % 30), actor=marking.marker)
    return 1


def _appeal_exam() -> int:
    if Exam.objects.filter(name=DEMO_APPEAL_EXAM).exists():
        return 0
    candidate = User.objects.get(username="demo_candidate")
    marker = User.objects.get(username="demo_marker")
    markers = _people(2, avoid_units={candidate.unit_id, marker.unit_id}, exclude=set())
    remarker = _people(1, avoid_units={candidate.unit_id, marker.unit_id}, exclude={m.pk for m in markers})
    people = [candidate, *_people(5, avoid_units={m.unit_id for m in [*markers, *remarker, marker]},
                                  exclude={m.pk for m in [*markers, *remarker, candidate]})]
    exam = _exam(DEMO_APPEAL_EXAM, quota=3, cutoff=timezone.localdate().replace(month=1, day=31),
                 candidates=people, boards=[*((m, "marking", "member") for m in markers),
                                            (marker, "remarking", "member"), (remarker[0], "remarking", "member")])
    Exam.objects.filter(pk=exam.pk).update(appeal_fee=D("150000"))
    subject, scripts = _scripts(exam, _Scans())
    _gates(exam, people)
    # demo_candidate (first) gets 48,5: below the pass mark by a little, the classic reason to appeal.
    wanted = dict(zip([p.pk for p in people], ("48.5", "81", "74.5", "66", "59.25", "52"), strict=True))
    for script in scripts:
        for marking in script.markings.all():
            marking_svc.mark_record(marking=marking, mark=D(wanted[script.registration.person_id]),
                                    actor=marking.marker)
    hr = User.objects.get(username="demo_hr")
    marking_svc.deanonymise(subject=subject, actor=hr)
    version = results_svc.compute_results(exam=exam, actor=None).version
    results_svc.approve(exam=exam, version=version, actor=User.objects.get(username="demo_council"))
    results_svc.publish(exam=exam, version=version, actor=hr, decision_number="45/QĐ-UBND",
                        decision_date=timezone.localdate())
    return 1


def _gates(exam: Exam, people: list[User]) -> None:
    """The computer gates, passed by everyone (as an import would bring them)."""
    subjects = {s.code: s for s in Subject.objects.filter(exam=exam)}
    registrations = {r.person_id: r for r in Registration.objects.filter(exam=exam)}
    ScoreEntry.objects.bulk_create([
        ScoreEntry(registration=registrations[p.pk], subject=subjects[code],
                   correct=(subjects[code].question_count or 30) * 2 // 3, total=subjects[code].question_count)
        for p in people for code in ("KTC", "NN", "TH")])
