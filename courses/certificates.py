"""Issuing certificates (docs/certificates.md): to the learners a closed class's completion list qualifies, a serial
number in the institution's series ``[prefix-]{programme code}-{year}-{0001}`` and an entry in its issuance register
(numbered per institution and year), both taken from counters that only grow, so no number is given twice however
many people issue at once; reissue on correction, revocation with a reason, and a completion certification for a lost
certificate. Every change is audited, and the people register's entry follows the certificate
(accounts.qualifications.platform_follow). The PDFs are rendered after the commit, outside the request lanes
(courses/certificate_render.py)."""
from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrganisationProfile, Qualification, User
from accounts.qualifications import kind_for_programme, platform_follow, platform_follow_many
from accounts.services import audit_record
from courses import certificate_render
from courses.completion_list import LearnerOutcome, class_outcomes, learner_outcome
from courses.models import Certificate, Counter, CourseClass, Institution, Programme

COMPLETION_PREFIX = "GCN"


def _take(key: str, count: int) -> int:
    """The first of ``count`` numbers reserved on the counter ``key`` (inside the caller's transaction). The UPDATE
    holds the counter's row until the commit: a second issuer waits, then adds to what the first wrote."""
    Counter.objects.get_or_create(key=key)
    Counter.objects.filter(key=key).update(value=F("value") + count)
    return Counter.objects.values_list("value", flat=True).get(key=key) - count + 1


def series_stem(institution: Institution, programme: Programme, year: int) -> str:
    prefix = institution.serial_prefix.strip().upper()
    stem = f"{programme.code}-{year}"
    return f"{prefix}-{stem}" if prefix else stem


def _serials(stem: str, count: int) -> list[str]:
    first = _take(f"serial:{stem}", count)
    return [f"{stem}-{n:04d}" for n in range(first, first + count)]


def _register_entries(institution: Institution, year: int, count: int) -> list[int]:
    first = _take(f"register:{institution.pk}:{year}", count)
    return list(range(first, first + count))


def _token() -> str:
    return secrets.token_urlsafe(16)


def verify_url(site_url: str, token: str) -> str:
    return f"{site_url.rstrip('/')}/verify/{token}/"


def _holder(row: LearnerOutcome) -> dict:
    person, enrolment = row.person, row.enrolment
    return {
        "holder_name": person.full_name, "holder_birth_date": person.date_of_birth, "holder_gender": person.gender,
        "holder_cccd": person.cccd or "",
        "holder_unit": enrolment.unit_text or (str(person.unit.name) if person.unit_id else ""),
        "average": row.outcome.average, "band": row.outcome.band,
    }


def _issuer(course_class: CourseClass, institution: Institution) -> dict:
    programme = course_class.programme
    return {
        "programme_name": programme.name, "class_name": course_class.name, "starts_on": course_class.starts_on,
        "ends_on": course_class.ends_on, "institution": institution, "institution_name": institution.name,
        "letterhead_line_1": institution.letterhead_line_1, "letterhead_line_2": institution.letterhead_line_2,
        "place_name": institution.place_name or OrganisationProfile.current().place_name,
        "signer_title": institution.signer_title, "signer_name": institution.signer_name,
        "legal_basis": programme.legal_basis,
    }


def _check_issuer(course_class: CourseClass, issued_on: dt.date) -> Institution:
    institution = course_class.programme.institution
    if institution is None:
        raise ValidationError(_("The programme has no training institution: choose one on the programme's page "
                                "before issuing certificates."))
    if not institution.signer_title.strip() or not institution.signer_name.strip():
        raise ValidationError(_("The institution %(name)s has no signer: enter the signer's title and name on the "
                                "institutions page first.") % {"name": institution.name})
    if issued_on > timezone.localdate():
        raise ValidationError(_("A certificate cannot be dated in the future."))
    if issued_on < course_class.ends_on:
        raise ValidationError(_("A certificate cannot be dated before the class's last day (%(day)s).")
                              % {"day": f"{course_class.ends_on:%d/%m/%Y}"})
    return institution


def _kind(programme: Programme):
    if programme.qualification_kind_id is None:
        programme.qualification_kind = kind_for_programme(code=programme.code, name=programme.name)
        Programme.objects.filter(code=programme.code, qualification_kind__isnull=True).update(
            qualification_kind=programme.qualification_kind)
    return programme.qualification_kind


def _reference(certificate: Certificate) -> str:
    return f"courses.enrolment:{certificate.enrolment_id}"


def awaiting_certificates(course_class: CourseClass) -> list[LearnerOutcome]:
    """The learners of the class whom the completion list qualifies and who hold none of its certificates yet, in
    the list's order: whom issuing certifies, and whom the class's page names before it does."""
    _requirements, rows = class_outcomes(course_class)
    had = set(Certificate.objects.filter(enrolment__course_class=course_class).values_list("enrolment_id", flat=True))
    return [row for row in rows if row.outcome.completed and row.enrolment.pk not in had]


def certificates_issue(*, course_class: CourseClass, issued_on: dt.date, decision_number: str = "",
                       decision_date: dt.date | None = None, site_url: str, actor: User | None) -> list[Certificate]:
    """Certificates for every learner of the closed class who qualifies and has none yet, in the completion list's
    order (Vietnamese name order): serials and register entries follow that order."""
    with transaction.atomic():
        locked = (CourseClass.objects.select_for_update(of=("self",)).select_related("programme__institution")
                  .get(pk=course_class.pk))
        if locked.closed_at is None:
            raise ValidationError(_("Certificates are issued once the class is closed (its completion list is "
                                    "final)."))
        institution = _check_issuer(locked, issued_on)
        rows = awaiting_certificates(locked)
        if not rows:
            raise ValidationError(_("Every learner who qualifies already has a certificate."))
        year = issued_on.year
        serials = _serials(series_stem(institution, locked.programme, year), len(rows))
        entries = _register_entries(institution, year, len(rows))
        common = _issuer(locked, institution)
        certificates = []
        for row, serial, entry in zip(rows, serials, entries, strict=True):
            token = _token()
            certificates.append(Certificate(
                enrolment=row.enrolment, serial=serial, register_year=year, register_number=entry, token=token,
                verify_url=verify_url(site_url, token), issued_on=issued_on, decision_number=decision_number.strip(),
                decision_date=decision_date, issued_by=actor, **_holder(row), **common))
        Certificate.objects.bulk_create(certificates, batch_size=500)
        kind = _kind(locked.programme)
        platform_follow_many([Qualification(
            person=row.person, kind=kind, source=Qualification.Source.PLATFORM, issuer=institution.name,
            number=certificate.serial, issued_on=issued_on, reference=_reference(certificate), recorded_by=actor)
            for row, certificate in zip(rows, certificates, strict=True)])
        audit_record(actor=actor, action="certificates.issue", obj=locked, details={
            "count": len(certificates), "first": serials[0], "last": serials[-1],
            "issued_on": issued_on.isoformat(), "decision": decision_number.strip()})
        transaction.on_commit(certificate_render.wake)
    return certificates


def _lock_valid(certificate: Certificate) -> Certificate:
    locked = (Certificate.objects.select_for_update(of=("self",))
              .select_related("enrolment__course_class__programme__institution", "enrolment__person__unit")
              .get(pk=certificate.pk))
    if locked.status != Certificate.Status.VALID:
        raise ValidationError(_("Only a valid certificate can be changed; this one is %(status)s.")
                              % {"status": locked.get_status_display().lower()})
    return locked


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason."))
    return reason[:500]


def _successor(old: Certificate, *, kind: str, issued_on: dt.date, site_url: str, actor: User | None,
               holder: dict, stands_for: Certificate | None) -> Certificate:
    """The certificate that replaces ``old``: a new serial (a completion certification in its own series), a new
    register entry, what the paper says as of today. The old one steps aside first (one valid certificate per
    learner, held by the database), then points at its successor."""
    course_class = old.enrolment.course_class
    institution = _check_issuer(course_class, issued_on)
    stem = series_stem(institution, course_class.programme, issued_on.year)
    if kind == Certificate.Kind.COMPLETION:
        stem = f"{COMPLETION_PREFIX}-{stem}"
    old.status, old.reason = Certificate.Status.REVOKED, old.reason or "…"
    old.save(update_fields=["status", "reason"])
    token = _token()
    new = Certificate.objects.create(
        enrolment=old.enrolment, kind=kind, serial=_serials(stem, 1)[0], register_year=issued_on.year,
        register_number=_register_entries(institution, issued_on.year, 1)[0], token=token,
        verify_url=verify_url(site_url, token), issued_on=issued_on, issued_by=actor, stands_for=stands_for,
        **holder, **_issuer(course_class, institution))
    return new


def certificate_reissue(*, certificate: Certificate, reason: str, issued_on: dt.date, site_url: str,
                        actor: User | None) -> Certificate:
    """A corrected certificate (the person's name or birth date corrected in the register, a score corrected after
    closing): a new serial with today's facts; the old one says it was replaced, and by which."""
    reason = _reason(reason)
    with transaction.atomic():
        old = _lock_valid(certificate)
        _requirements, row = learner_outcome(old.enrolment)
        if not row.outcome.completed:
            raise ValidationError(_("With the corrections the learner no longer qualifies (%(reasons)s): revoke the "
                                    "certificate instead.") % {"reasons": "; ".join(row.outcome.reasons)})
        new = _successor(old, kind=old.kind, issued_on=issued_on, site_url=site_url, actor=actor,
                         holder=_holder(row), stands_for=old.stands_for)
        old.status, old.replaced_by, old.replaced_why, old.reason = (
            Certificate.Status.REPLACED, new, Certificate.Why.CORRECTION, reason)
        old.save(update_fields=["status", "replaced_by", "replaced_why", "reason"])
        _follow(new, actor=actor)
        audit_record(actor=actor, action="certificate.reissue", obj=new, details={
            "replaces": old.serial, "serial": new.serial, "reason": reason})
        transaction.on_commit(certificate_render.wake)
    return new


def completion_certify(*, certificate: Certificate, reason: str, issued_on: dt.date, site_url: str,
                       actor: User | None) -> Certificate:
    """A completion certification (giấy chứng nhận hoàn thành) in place of a lost certificate, with equal validity:
    the same facts as the lost paper, its own serial in the GCN series; the lost one says it was replaced."""
    reason = _reason(reason)
    with transaction.atomic():
        old = _lock_valid(certificate)
        holder = {field: getattr(old, field) for field in (
            "holder_name", "holder_birth_date", "holder_gender", "holder_cccd", "holder_unit", "average", "band")}
        original = old.stands_for or old
        new = _successor(old, kind=Certificate.Kind.COMPLETION, issued_on=issued_on, site_url=site_url, actor=actor,
                         holder=holder, stands_for=original)
        old.status, old.replaced_by, old.replaced_why, old.reason = (
            Certificate.Status.REPLACED, new, Certificate.Why.LOST, reason)
        old.save(update_fields=["status", "replaced_by", "replaced_why", "reason"])
        _follow(new, actor=actor, note=_("Completion certification in place of certificate %(serial)s")
                % {"serial": original.serial})
        audit_record(actor=actor, action="certificate.completion", obj=new, details={
            "replaces": old.serial, "serial": new.serial, "reason": reason})
        transaction.on_commit(certificate_render.wake)
    return new


def certificate_revoke(*, certificate: Certificate, reason: str, actor: User | None) -> Certificate:
    """A certificate revoked (issued in error, obtained by fraud…): the verification page says so from now on, and
    the people register's entry is no longer valid."""
    reason = _reason(reason)
    with transaction.atomic():
        old = _lock_valid(certificate)
        old.status, old.reason, old.revoked_by, old.revoked_at = (
            Certificate.Status.REVOKED, reason, actor, timezone.now())
        old.save(update_fields=["status", "reason", "revoked_by", "revoked_at"])
        _follow(old, actor=actor, valid=False)
        audit_record(actor=actor, action="certificate.revoke", obj=old, details={"serial": old.serial,
                                                                                  "reason": reason})
    return old


def _follow(certificate: Certificate, *, actor: User | None, valid: bool = True, note: str = "") -> None:
    programme = certificate.enrolment.course_class.programme
    platform_follow(reference=_reference(certificate), person=certificate.enrolment.person, kind=_kind(programme),
                    issuer=certificate.institution_name, number=certificate.serial, issued_on=certificate.issued_on,
                    valid=valid, note=note, actor=actor)
