"""Writes of the qualifications register (docs/certificates.md, "Qualifications"): what courses records when it issues,
replaces or revokes a certificate, and what HR records of qualifications obtained elsewhere."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from accounts.models import Qualification, QualificationKind, User


def kind_for_programme(*, code: str, name: str) -> QualificationKind:
    """The register's kind for a programme's certificate (one per programme code, made the first time)."""
    kind, _created = QualificationKind.objects.get_or_create(
        code=code[:32], defaults={"name": f"Chứng chỉ {name}"[:255]})
    return kind


def platform_follow(*, reference: str, person: User, kind: QualificationKind, issuer: str, number: str,
                    issued_on: dt.date, valid: bool, note: str = "", actor: User | None = None) -> Qualification:
    """The register's entry for what a platform certificate now says (written by courses in the transaction that
    issues, replaces or revokes the certificate): one entry per ``reference``, created or brought up to date."""
    with transaction.atomic():
        entry, created = Qualification.objects.select_for_update().get_or_create(
            reference=reference, defaults={
                "person": person, "kind": kind, "source": Qualification.Source.PLATFORM, "issuer": issuer,
                "number": number, "issued_on": issued_on, "valid": valid, "note": note, "recorded_by": actor})
        if not created:
            entry.kind, entry.issuer, entry.number = kind, issuer, number
            entry.issued_on, entry.valid, entry.note = issued_on, valid, note
            entry.save(update_fields=["kind", "issuer", "number", "issued_on", "valid", "note"])
    return entry


def platform_follow_many(entries: list[Qualification]) -> None:
    """Many new platform entries at once (a class's certificates issued together): one INSERT, no audit of their
    own (the issuing is audited)."""
    Qualification.objects.bulk_create(entries, batch_size=500)

