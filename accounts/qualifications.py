"""Writes of the qualifications register (docs/certificates.md, "Qualifications"): what courses records when it issues,
replaces or revokes a certificate, and what HR records of qualifications obtained elsewhere (with the scan of the
paper), the kinds the register knows and the certificate each rank requires. Every HR write is audited in its own
transaction; a platform entry changes only through courses (platform_follow)."""
from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import audit_labels
from accounts.models import Qualification, QualificationKind, Rank, RankRequirement, User
from accounts.services import audit_record
from accounts.vietnamese import normalize_name
from exam_platform.private_files import check_upload

# What HR may attach as the scan of a paper obtained elsewhere.
SCAN_KINDS = ("pdf", "jpg", "png")

# The audit log's names of these actions.
ACTION_LABELS = {
    "qualification.record": gettext_lazy("Qualification recorded"),
    "qualification.edit": gettext_lazy("Qualification edited"),
    "qualification.remove": gettext_lazy("Qualification removed"),
    "qualification_kind.create": gettext_lazy("Kind of qualification added"),
    "qualification_kind.edit": gettext_lazy("Kind of qualification renamed"),
    "qualification_kind.remove": gettext_lazy("Kind of qualification removed"),
    "rank_requirement.set": gettext_lazy("Rank's required certificate set"),
    "rank_requirement.remove": gettext_lazy("Rank's required certificate removed"),
}
audit_labels.register(ACTION_LABELS)


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


# --- HR's entries: qualifications obtained elsewhere ---------------------------------------------------------------

def outside_record(*, person: User, kind: QualificationKind | None, issuer: str, number: str,
                   issued_on: dt.date | None, note: str = "", scan=None, actor: User,
                   ip: str | None = None) -> Qualification:
    """HR's record of a qualification ``person`` obtained elsewhere, with the scan of the paper (PDF, JPEG or PNG,
    checked by its first bytes) when there is one. Nothing is written when anything is wrong."""
    values = _checked(kind=kind, issuer=issuer, number=number, issued_on=issued_on, note=note)
    checked = _checked_scan(scan)
    stored: list[str] = []
    try:
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=person.pk).first()  # one record at a time for this person
            _refuse_duplicate(person=person, kind=kind, number=values["number"])
            entry = Qualification(person=person, kind=kind, source=Qualification.Source.OUTSIDE, recorded_by=actor,
                                  **values)
            if checked is not None:
                _store_scan(entry, checked, stored)
            entry.save()
            audit_record(actor=actor, action="qualification.record", obj=entry, ip=ip,
                         details={"person": person.pk, **_described(entry), "scan": bool(checked)})
    except BaseException:
        _delete_files(stored)  # the entry was not written: neither is its scan
        raise
    return entry


def outside_edit(*, qualification: Qualification, kind: QualificationKind | None, issuer: str, number: str,
                 issued_on: dt.date | None, note: str = "", scan=None, actor: User,
                 ip: str | None = None) -> Qualification:
    """HR's correction of an outside entry; a new scan replaces the old one (deleted once the change is committed).
    A platform entry is refused: it follows its certificate."""
    refuse_platform(qualification)
    values = _checked(kind=kind, issuer=issuer, number=number, issued_on=issued_on, note=note)
    checked = _checked_scan(scan)
    stored: list[str] = []
    try:
        with transaction.atomic():
            entry = Qualification.objects.select_for_update().select_related("kind", "person").filter(
                pk=qualification.pk).first()
            if entry is None:
                raise ValidationError(_("This qualification has already been removed."))
            refuse_platform(entry)
            _refuse_duplicate(person=entry.person, kind=kind, number=values["number"], exclude=entry.pk)
            before, old_scan = _described(entry), entry.scan.name
            entry.kind = kind
            for name, value in values.items():
                setattr(entry, name, value)
            after = _described(entry)
            changed = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
            if checked is not None:
                _store_scan(entry, checked, stored)
                changed["scan"] = [bool(old_scan), checked.name]
            if changed:
                entry.save()
                audit_record(actor=actor, action="qualification.edit", obj=entry, ip=ip,
                             details={"person": entry.person_id, "changed": changed})
            if checked is not None and old_scan:
                transaction.on_commit(lambda: _delete_files([old_scan]), robust=True)
    except BaseException:
        _delete_files(stored)
        raise
    return entry


def outside_remove(*, qualification: Qualification, reason: str, actor: User, ip: str | None = None) -> None:
    """HR removes an outside entry (recorded by mistake, say), with the reason; the audit log keeps what it said.
    A platform entry is refused: it changes only with its certificate."""
    refuse_platform(qualification)
    reason = normalize_name(reason or "")
    if not reason:
        raise ValidationError({"reason": _("Give the reason for removing it.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("The reason is longer than 500 characters.")})
    with transaction.atomic():
        entry = Qualification.objects.select_for_update().select_related("kind").filter(pk=qualification.pk).first()
        if entry is None:
            raise ValidationError(_("This qualification has already been removed."))
        refuse_platform(entry)
        audit_record(actor=actor, action="qualification.remove", obj=entry, ip=ip,
                     details={"person": entry.person_id, **_described(entry), "reason": reason})
        scan = entry.scan.name
        entry.delete()
        if scan:
            transaction.on_commit(lambda: _delete_files([scan]), robust=True)


def refuse_platform(entry: Qualification) -> None:
    """A ValidationError when ``entry`` is not HR's to change (a platform entry follows its certificate)."""
    if entry.source != Qualification.Source.OUTSIDE:
        raise ValidationError(_("A certificate issued on this platform follows its certificate: it is corrected, "
                                "replaced or revoked only by the class that issued it, never here."))


def _checked(*, kind, issuer: str, number: str, issued_on, note: str) -> dict:
    """The cleaned values, or a ValidationError naming every field at fault."""
    issuer, number, note = normalize_name(issuer or ""), normalize_name(number or ""), normalize_name(note or "")
    errors: dict[str, str] = {}
    if not isinstance(kind, QualificationKind):
        errors["kind"] = _("Choose the kind of qualification.")
    if not issuer:
        errors["issuer"] = _("Give the institution that issued it.")
    elif len(issuer) > 255:
        errors["issuer"] = _("The text is longer than %(n)s characters.") % {"n": 255}
    if not number:
        errors["number"] = _("Give the number of the certificate or diploma.")
    elif len(number) > 64:
        errors["number"] = _("The text is longer than %(n)s characters.") % {"n": 64}
    if issued_on is None:
        errors["issued_on"] = _("Give the date it was issued.")
    elif issued_on > timezone.localdate():
        errors["issued_on"] = _("The date it was issued cannot be in the future.")
    if len(note) > 500:
        errors["note"] = _("The text is longer than %(n)s characters.") % {"n": 500}
    if errors:
        raise ValidationError(errors)
    return {"issuer": issuer, "number": number, "issued_on": issued_on, "note": note}


def _refuse_duplicate(*, person: User, kind: QualificationKind, number: str, exclude: int | None = None) -> None:
    same = Qualification.objects.filter(person=person, kind=kind, number__iexact=number)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise ValidationError({"number": _("%(name)s already has this qualification with the number %(number)s.")
                               % {"name": person.full_name, "number": number}})


def _checked_scan(scan):
    if scan is None:
        return None
    try:
        return check_upload(scan, kinds=SCAN_KINDS, max_bytes=settings.QUALIFICATION_SCAN_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"scan": exc.messages}) from exc


def _described(entry: Qualification) -> dict:
    return {"kind": entry.kind.name, "issuer": entry.issuer, "number": entry.number,
            "issued_on": entry.issued_on.isoformat(), "note": entry.note}


def _store_scan(entry: Qualification, checked, stored: list[str]) -> None:
    """Stores the checked scan under a random name (the model's upload path) and notes the name, so that a write
    that fails after it takes the file away again."""
    entry.scan.save(f"scan{checked.extension}", checked.upload, save=False)
    entry.scan_type = checked.content_type
    stored.append(entry.scan.name)


def _delete_files(names: list[str]) -> None:
    storage = Qualification._meta.get_field("scan").storage
    for name in names:
        storage.delete(name)


# --- the kinds the register knows ----------------------------------------------------------------------------------

def kind_create(*, name: str, actor: User, code: str = "", ip: str | None = None) -> QualificationKind:
    """A kind of qualification HR adds (a diploma obtained elsewhere, say); its code is made up when none is given
    (it is never shown)."""
    name = _kind_name(name)
    with transaction.atomic():
        _refuse_kind_name(name)
        kind = QualificationKind.objects.create(code=(code or f"x-{uuid.uuid4().hex[:12]}")[:32], name=name)
        audit_record(actor=actor, action="qualification_kind.create", obj=kind, ip=ip, details={"name": name})
    return kind


def kind_edit(*, kind: QualificationKind, name: str, actor: User, ip: str | None = None) -> QualificationKind:
    """A new name for a kind (every entry of that kind shows it)."""
    name = _kind_name(name)
    with transaction.atomic():
        locked = QualificationKind.objects.select_for_update().get(pk=kind.pk)
        _refuse_kind_name(name, exclude=locked.pk)
        if locked.name != name:
            before, locked.name = locked.name, name
            locked.save(update_fields=["name"])
            audit_record(actor=actor, action="qualification_kind.edit", obj=locked, ip=ip,
                         details={"name": [before, name]})
    return locked


def kind_remove(*, kind: QualificationKind, actor: User, ip: str | None = None) -> None:
    """Removes a kind nobody holds, no rank requires or accepts and no training programme certifies."""
    with transaction.atomic():
        locked = QualificationKind.objects.select_for_update().filter(pk=kind.pk).first()
        if locked is None:
            raise ValidationError(_("This kind of qualification has already been removed."))
        if Qualification.objects.filter(kind=locked).exists():
            raise ValidationError(_("“%(name)s” cannot be removed: people hold it.") % {"name": locked.name})
        if RankRequirement.objects.filter(Q(kind=locked) | Q(equivalents=locked)).exists():
            raise ValidationError(_("“%(name)s” cannot be removed: a rank requires or accepts it.")
                                  % {"name": locked.name})
        audit_record(actor=actor, action="qualification_kind.remove", obj=locked, ip=ip,
                     details={"name": locked.name, "code": locked.code})
        try:
            with transaction.atomic():
                locked.delete()
        except ProtectedError as exc:  # a training programme issues this certificate
            raise ValidationError(_("“%(name)s” cannot be removed: a training programme issues it.")
                                  % {"name": locked.name}) from exc


def _kind_name(name: str) -> str:
    name = normalize_name(name or "")
    if not name:
        raise ValidationError({"name": _("Give the name of the kind of qualification.")})
    if len(name) > 255:
        raise ValidationError({"name": _("The text is longer than %(n)s characters.") % {"n": 255}})
    return name


def _refuse_kind_name(name: str, *, exclude: int | None = None) -> None:
    same = QualificationKind.objects.filter(name__iexact=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise ValidationError({"name": _("There is already a kind of qualification named “%(name)s”.")
                               % {"name": name}})


# --- what each rank requires --------------------------------------------------------------------------------------

def requirement_set(*, rank: Rank, kind: QualificationKind | None, equivalents, actor: User,
                    ip: str | None = None) -> RankRequirement:
    """The certificate ``rank`` requires of those who sit its promotion exam, and the qualifications accepted as
    equivalent (the required kind itself is not listed among them)."""
    if not isinstance(kind, QualificationKind):
        raise ValidationError({"kind": _("Choose the required certificate.")})
    accepted = sorted({other for other in equivalents or () if other.pk != kind.pk}, key=lambda k: k.name)
    with transaction.atomic():
        requirement, _created = RankRequirement.objects.select_for_update().update_or_create(
            rank=rank, defaults={"kind": kind})
        requirement.equivalents.set(accepted)
        audit_record(actor=actor, action="rank_requirement.set", obj=requirement, ip=ip,
                     details={"rank": rank.code, "kind": kind.name, "equivalents": [k.name for k in accepted]})
    return requirement


def requirement_remove(*, rank: Rank, actor: User, ip: str | None = None) -> None:
    """``rank`` no longer requires a certificate."""
    with transaction.atomic():
        requirement = RankRequirement.objects.select_for_update().select_related("kind").filter(rank=rank).first()
        if requirement is None:
            raise ValidationError(_("The rank %(rank)s requires no certificate.") % {"rank": rank.name})
        audit_record(actor=actor, action="rank_requirement.remove", obj=requirement, ip=ip,
                     details={"rank": rank.code, "kind": requirement.kind.name})
        requirement.delete()
