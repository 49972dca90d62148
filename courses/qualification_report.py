"""HR's report on training (docs/certificates.md): for a unit and everything below it, who holds which qualification
(the valid ones of the people register: platform certificates and those obtained elsewhere) and who is in training
(enrolled in a class not closed yet), by unit then in Vietnamese name order; and its workbook in the official list
style. Read only, with a fixed number of queries whatever the number of people.

With a kind of qualification chosen, the report lists only that kind and the classes whose programme leads to it, and
only the people holding it or training for it.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import OrganisationProfile, OrgUnit, Qualification, QualificationKind, User
from accounts.official_sheets import (
    collector_paused,
    date_text,
    header_row,
    new_workbook,
    print_setup,
    put_cell,
    put_text,
    workbook_bytes,
    write_preamble,
)
from accounts.vietnamese import name_sort_key
from courses.models import Enrolment

PAGE_IDS_MAX = 500  # a page's people are named by id; a longer list (the workbook) by the report's own query


@dataclass(frozen=True)
class ReportPerson:
    pk: int
    full_name: str
    date_of_birth: dt.date | None
    unit_name: str
    unit_path: str


@dataclass(frozen=True)
class Held:
    kind: str
    number: str
    issuer: str
    issued_on: dt.date

    def __str__(self) -> str:
        return f"{self.kind}: số {self.number}, {self.issuer}, cấp ngày {date_text(self.issued_on)}"


@dataclass(frozen=True)
class InTraining:
    class_name: str
    programme: str
    starts_on: dt.date
    ends_on: dt.date

    def __str__(self) -> str:
        return (f"Lớp {self.class_name} – {self.programme} ({date_text(self.starts_on)} – "
                f"{date_text(self.ends_on)})")


@dataclass(frozen=True)
class ReportRow:
    person: ReportPerson
    held: tuple[Held, ...]
    training: tuple[InTraining, ...]


def report_units(user: User) -> QuerySet[OrgUnit]:
    """The units a user may report on: every unit for a superuser, their HR scope's subtree for HR, else none."""
    if user.is_superuser:
        return OrgUnit.objects.order_by("path")
    if user.hr_scope_id is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(path__startswith=user.hr_scope.path).order_by("path")


def _valid(kind: QualificationKind | None) -> Q:
    return Q(valid=True, **({"kind": kind} if kind is not None else {}))


def _training(kind: QualificationKind | None) -> Q:
    return Q(course_class__closed_at__isnull=True,
             **({"course_class__programme__qualification_kind": kind} if kind is not None else {}))


def _people(unit: OrgUnit | None, kind: QualificationKind | None) -> QuerySet[User]:
    """The people of ``unit`` and below (those without a unit belong to a top unit; everyone when ``unit`` is None),
    active; with ``kind``, only those holding it or training for it."""
    people = User.objects.filter(is_active=True)
    if unit is not None:
        inside = Q(unit__path__startswith=unit.path)
        if unit.parent_id is None:
            inside |= Q(unit__isnull=True)
        people = people.filter(inside)
    if kind is not None:
        holds = Qualification.objects.filter(_valid(kind), person=OuterRef("pk"))
        trains = Enrolment.objects.filter(_training(kind), person=OuterRef("pk"))
        people = people.filter(Exists(holds) | Exists(trains))
    return people


def report_people(*, unit: OrgUnit | None, kind: QualificationKind | None = None) -> list[ReportPerson]:
    """The report's people in unit order (the tree's), then Vietnamese name order; one query."""
    found = []
    for pk, name, born, unit_name, path, cccd in _people(unit, kind).values_list(
            "pk", "full_name", "date_of_birth", "unit__name", "unit__path", "cccd"):
        person = ReportPerson(pk, name, born, unit_name or "", path or "")
        found.append(((path is None, path or "", name_sort_key(name, born, cccd)), person))
    found.sort(key=lambda pair: pair[0])
    people = [person for _key, person in found]
    return people


def report_rows(people: Sequence[ReportPerson], *, unit: OrgUnit | None,
                kind: QualificationKind | None = None) -> list[ReportRow]:
    """What each of ``people`` (a page of :func:`report_people`, or all of it) holds and trains for; two queries."""
    if len(people) <= PAGE_IDS_MAX:
        whose = Q(person__in=[p.pk for p in people])
    else:
        whose = Q(person__in=_people(unit, kind).values("pk"))
    held, training = defaultdict(list), defaultdict(list)
    for q in (Qualification.objects.filter(whose, _valid(kind)).select_related("kind")
              .order_by("issued_on", "pk")):
        held[q.person_id].append(Held(q.kind.name, q.number, q.issuer, q.issued_on))
    for e in (Enrolment.objects.filter(whose, _training(kind)).select_related("course_class__programme")
              .order_by("course_class__starts_on", "pk")):
        course_class = e.course_class
        training[e.person_id].append(InTraining(course_class.name, course_class.programme.name,
                                                course_class.starts_on, course_class.ends_on))
    return [ReportRow(p, tuple(held[p.pk]), tuple(training[p.pk])) for p in people]


def qualification_report(*, unit: OrgUnit | None, kind: QualificationKind | None = None) -> list[ReportRow]:
    """The whole report: three queries."""
    return report_rows(report_people(unit=unit, kind=kind), unit=unit, kind=kind)


# --- The workbook ----------------------------------------------------------------------------------------------

COLUMNS = [("STT", 6), ("Họ và tên", 24), ("Ngày sinh", 12), ("Đơn vị", 30),
           ("Chứng chỉ, văn bằng đang có (số, nơi cấp, ngày cấp)", 50), ("Đang học (lớp, chương trình, thời gian)", 46)]
TITLE = "DANH SÁCH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC THEO CHỨNG CHỈ BỒI DƯỠNG"


def report_xlsx(rows: Sequence[ReportRow], *, unit: OrgUnit | None, kind: QualificationKind | None) -> bytes:
    """The report in the official list style: the organisation's letterhead, Times New Roman, A4 landscape, the
    header row repeated; a person's qualifications and classes one per line in their cell (one query: the
    letterhead)."""
    lines = [f"Đơn vị: {unit.name}" if unit is not None else "Tất cả đơn vị"]
    if kind is not None:
        lines.append(f"Loại chứng chỉ: {kind.name}")
    lines.append(f"Tính đến ngày {date_text(timezone.localdate())}")
    with collector_paused():
        buffer, workbook, formats = new_workbook()
        sheet = workbook.add_worksheet("Danh sách")
        start = write_preamble(sheet, formats, profile=OrganisationProfile.current(), columns=COLUMNS, title=TITLE,
                               lines=lines)
        header_row(sheet, start, COLUMNS, formats.header)
        for n, row in enumerate(rows, start=1):
            person = row.person
            values = [str(n), person.full_name, date_text(person.date_of_birth), person.unit_name,
                      "\n".join(str(h) for h in row.held), "\n".join(str(t) for t in row.training)]
            for col, value in enumerate(values):
                put_cell(sheet, start + n, col, value, formats.cell_center if col in (0, 2) else formats.cell)
        put_text(sheet, start + len(rows) + 2, 0, 3, f"Tổng số: {len(rows)} người.", formats.line)
        print_setup(sheet, landscape=True, repeat=(start, start))
        return workbook_bytes(buffer, workbook)
