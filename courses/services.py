"""Writes of the training catalogue."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Rank, User
from accounts.services import audit_record
from courses.lessons import lessons_copy
from courses.models import Assessment, ClassStaff, CourseClass, Institution, Module, Part, Programme
from courses.presets import FIELD_TRIP, PRESETS, REPORT, TEACHING

MODULE_PREFIX = {TEACHING: "CD", REPORT: "BC", FIELD_TRIP: "TT"}


def programme_create(*, preset_slug: str, actor: User | None, code: str | None = None) -> Programme:
    """A programme from a preset, version 1: its parts, its modules coded in programme order (CD01…, BC01…, TT01…)
    with sample titles, and its assessments. Refused when the code is taken."""
    preset = PRESETS.get(preset_slug)
    if preset is None:
        raise ValidationError(_("There is no programme preset “%(slug)s”.") % {"slug": preset_slug})
    code = (code or preset.code).strip().upper()
    with transaction.atomic():
        if Programme.objects.filter(code=code).exists():
            raise ValidationError(_("A programme with the code %(code)s already exists.") % {"code": code})
        programme = Programme.objects.create(
            code=code, name=preset.name, target=preset.target, target_position=preset.target_position,
            target_rank=Rank.objects.filter(code=preset.target_rank).first() if preset.target_rank else None,
            legal_basis=preset.legal_basis, preset=preset.slug, default_to_adjust=preset.default_to_adjust,
            created_by=actor)
        numbers = dict.fromkeys(MODULE_PREFIX, 0)
        parts = []
        for part_order, spec in enumerate(preset.parts, start=1):
            part = Part.objects.create(programme=programme, order=part_order, name=spec.name)
            parts.append(part)
            rows = ([(TEACHING, title, spec.topic_periods) for title in spec.topics]
                    + [(REPORT, title, spec.report_periods) for title in spec.reports]
                    + ([(FIELD_TRIP, _("Field trip"), spec.field_trip_periods)] if spec.field_trip_periods else []))
            modules = []
            for order, (kind, title, periods) in enumerate(rows, start=1):
                numbers[kind] += 1
                modules.append(Module(part=part, order=order, kind=kind, title=title, periods=periods, sample=True,
                                      code=f"{MODULE_PREFIX[kind]}{numbers[kind]:02d}"))
            Module.objects.bulk_create(modules)
        Assessment.objects.bulk_create([
            Assessment(programme=programme, order=n, code=a.code, name=a.name, kind=a.kind,
                       part=parts[a.after_part - 1] if a.after_part else None)
            for n, a in enumerate(preset.assessments, start=1)])
        audit_record(actor=actor, action="programme.create", obj=programme, details={"preset": preset.slug})
    return programme


def programme_started(programme: Programme) -> bool:
    """Whether a class of this version has started (its first day has come)."""
    return programme.classes.filter(starts_on__lte=timezone.localdate()).exists()


# Who issues a programme's certificates is not what it teaches: changed in place, for its running and closed classes
# too (an issued certificate keeps the institution it was issued under, courses/certificates.py).
ISSUER_FIELDS = {"institution"}


def programme_update(*, programme: Programme, fields: dict, modules: dict[int, dict], actor: User,
                     assessments: dict[int, dict] | None = None) -> Programme:
    """Store a programme's edited ``fields``, ``modules`` ({module id: {"title", "periods"}}) and ``assessments``
    ({assessment id: {"name", "weight", "pass_mark", "retakes", "counts"}}); a module whose title is edited is no
    longer sample content. Once a class of this version has started, an edit of what is taught makes a new version
    instead (returned): the running classes keep theirs, their scores and their rules. The institution is changed in
    place (ISSUER_FIELDS)."""
    assessments = assessments or {}
    what_is_taught = set(fields) - ISSUER_FIELDS
    with transaction.atomic():
        target, versioned = programme, False
        if programme_started(programme) and (what_is_taught or modules or assessments):
            target, codes = _new_version(programme), dict(
                Module.objects.filter(part__programme=programme).values_list("pk", "code"))
            by_code = {m.code: m.pk for m in Module.objects.filter(part__programme=target)}
            modules = {by_code[codes[pk]]: values for pk, values in modules.items()}
            assessment_codes = dict(programme.assessments.values_list("pk", "code"))
            new_assessments = dict(target.assessments.values_list("code", "pk"))
            assessments = {new_assessments[assessment_codes[pk]]: values for pk, values in assessments.items()}
            versioned = True
        for assessment in Assessment.objects.filter(programme=target, pk__in=list(assessments)):
            for name, value in assessments[assessment.pk].items():
                setattr(assessment, name, value)
            assessment.save(update_fields=list(assessments[assessment.pk]))
        for name, value in fields.items():
            setattr(target, name, value)
        target.save()
        issuer = {name: fields[name] for name in ISSUER_FIELDS & set(fields)}
        if versioned and issuer:  # the running and closed classes take the issuer too
            Programme.objects.filter(pk=programme.pk).update(**issuer)
        for module in Module.objects.filter(pk__in=list(modules)):
            module.title, module.periods = modules[module.pk]["title"], modules[module.pk]["periods"]
            module.sample = False
            module.save(update_fields=["title", "periods", "sample"])
        audit_record(actor=actor, action="programme.edit", obj=target,
                     details={"fields": sorted(fields), "modules": sorted(Module.objects.filter(
                         pk__in=list(modules)).values_list("code", flat=True)),
                              "assessments": sorted(Assessment.objects.filter(pk__in=list(assessments))
                                                    .values_list("code", flat=True)), "new_version": versioned})
    return target


def _new_version(programme: Programme) -> Programme:
    """A copy of ``programme`` as its code's next version, parts, modules (with their lessons) and assessments
    included."""
    latest = Programme.objects.filter(code=programme.code).order_by("-version").values_list("version", flat=True)[0]
    parts = list(programme.parts.prefetch_related("modules").order_by("order"))
    assessments = list(programme.assessments.order_by("order"))
    copy = Programme.objects.get(pk=programme.pk)
    copy.pk, copy.version, copy.created_at = None, latest + 1, timezone.now()
    copy.save()
    new_parts, new_modules = {}, {}
    for part in parts:
        modules = list(part.modules.all())
        old_pk = part.pk
        part.pk, part.programme = None, copy
        part.save()
        new_parts[old_pk] = part
        old_ids = [module.pk for module in modules]
        for module in modules:
            module.pk, module.part = None, part
        Module.objects.bulk_create(modules)
        new_modules.update(zip(old_ids, modules, strict=True))
    lessons_copy(modules=new_modules)
    for assessment in assessments:
        assessment.pk, assessment.programme = None, copy
        assessment.part = new_parts.get(assessment.part_id)
    Assessment.objects.bulk_create(assessments)
    return copy


def class_create(*, programme: Programme, name: str, starts_on, ends_on, actor: User | None, venue: str = "",
                 mode: str = CourseClass.Mode.IN_PERSON, capacity: int | None = None) -> CourseClass:
    """A class of the newest version of ``programme``'s code."""
    name = name.strip()
    if ends_on < starts_on:
        raise ValidationError(_("The class must end on or after the day it starts."))
    newest = Programme.objects.filter(code=programme.code).order_by("-version").first()
    with transaction.atomic():
        if CourseClass.objects.filter(programme__code=programme.code, name__iexact=name).exists():
            raise ValidationError(_("The programme %(code)s already has a class named %(name)s.")
                                  % {"code": programme.code, "name": name})
        course_class = CourseClass.objects.create(programme=newest, name=name, starts_on=starts_on, ends_on=ends_on,
                                                  venue=venue, mode=mode, capacity=capacity, created_by=actor)
        audit_record(actor=actor, action="class.create", obj=course_class,
                     details={"programme": newest.code, "version": newest.version})
    return course_class


def class_staff_add(*, course_class: CourseClass, user: User, role: str, actor: User) -> ClassStaff:
    with transaction.atomic():
        staff, _created = ClassStaff.objects.get_or_create(course_class=course_class, user=user, role=role)
        audit_record(actor=actor, action="class.staff", obj=course_class, details={"user": user.pk, "role": role})
    return staff


def institution_save(*, institution: Institution, actor: User) -> Institution:
    created = institution.pk is None
    with transaction.atomic():
        institution.save()
        audit_record(actor=actor, action="institution.add" if created else "institution.edit", obj=institution)
    return institution
