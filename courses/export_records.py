"""Who downloaded a document holding people's personal data, and when (docs/rules.md, "Personal data"): the audit
records of the certificate decision, the issuance registers and the HR qualification report. Written by these
services, never by the views."""
from __future__ import annotations

from accounts.models import OrgUnit, User
from accounts.services import audit_record
from courses.models import CourseClass, Institution


def decision_downloaded(*, course_class: CourseClass, rows: int, actor: User | None) -> None:
    audit_record(actor=actor, action="certificates.decision_download", obj=course_class, details={"rows": rows})


def class_register_downloaded(*, course_class: CourseClass, rows: int, actor: User | None) -> None:
    audit_record(actor=actor, action="certificates.register_download", obj=course_class, details={"rows": rows})


def institution_register_downloaded(*, institution: Institution, year: int, rows: int, actor: User | None) -> None:
    audit_record(actor=actor, action="certificates.register_download", obj=institution,
                 details={"year": year, "rows": rows})


def qualification_report_downloaded(*, unit: OrgUnit | None, kind_id: int | None, rows: int,
                                    actor: User | None) -> None:
    audit_record(actor=actor, action="qualifications.report_download", obj=unit,
                 details={"kind": kind_id, "rows": rows})


def certificates_printed(*, course_class: CourseClass, layout: str, rows: int, actor: User | None) -> None:
    audit_record(actor=actor, action="certificates.print", obj=course_class, details={"layout": layout, "rows": rows})
