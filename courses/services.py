"""Writes of the training catalogue."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Rank, User
from accounts.services import audit_record
from courses.models import Assessment, Institution, Module, Part, Programme
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


def programme_update(*, programme: Programme, modules: list[Module], changed: list[str], actor: User) -> Programme:
    """Store a programme's edited fields and modules (as ProgrammeForm and ModuleFormSet validated them); a module
    whose title is edited is no longer sample content."""
    with transaction.atomic():
        programme.save()
        for module in modules:
            module.sample = False
            module.save(update_fields=["title", "periods", "sample"])
        audit_record(actor=actor, action="programme.edit", obj=programme,
                     details={"fields": changed, "modules": [m.code for m in modules]})
    return programme


def institution_save(*, institution: Institution, actor: User) -> Institution:
    created = institution.pk is None
    with transaction.atomic():
        institution.save()
        audit_record(actor=actor, action="institution.add" if created else "institution.edit", obj=institution)
    return institution
