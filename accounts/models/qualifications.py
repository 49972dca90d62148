"""What a person holds (the people register's qualifications, docs/certificates.md): certificates issued by a class on
this platform (written by courses when it issues one) and those obtained elsewhere (recorded by HR, with a scan), and
which certificate each rank requires, with the qualifications configured as equivalent. Exams read them; no app
imports a sibling for it."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models.people import Rank


class QualificationKind(models.Model):
    """A kind of qualification the register knows: a training programme's certificate (one per programme code) or a
    diploma obtained elsewhere (Bằng cao cấp lý luận chính trị – hành chính…)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kind of qualification")
        verbose_name_plural = _("kinds of qualification")

    def __str__(self) -> str:
        return self.name


class RankRequirement(models.Model):
    """The certificate a rank requires of those who sit its promotion exam, and the qualifications that meet the
    requirement as well (a higher political-theory and administration diploma, say)."""

    rank = models.OneToOneField(Rank, verbose_name=_("rank"), on_delete=models.CASCADE, related_name="requirement")
    kind = models.ForeignKey(QualificationKind, verbose_name=_("required certificate"), on_delete=models.PROTECT,
                             related_name="required_for")
    equivalents = models.ManyToManyField(QualificationKind, verbose_name=_("also accepted"), blank=True,
                                         related_name="accepted_for")

    class Meta:
        ordering = ["rank__code"]
        verbose_name = _("rank requirement")
        verbose_name_plural = _("rank requirements")

    def __str__(self) -> str:
        return f"{self.rank}: {self.kind}"


def scan_upload_path(instance, filename: str) -> str:
    """A random name: the stored name never comes from the uploader."""
    extension = filename[filename.rfind("."):].lower() if "." in filename else ""
    return f"qualifications/{uuid.uuid4().hex}{extension}"


class Qualification(models.Model):
    """One qualification a person holds. A platform certificate's entry follows its certificate (replaced: the new
    number; revoked: no longer valid); an outside one is HR's record, with the scan of the paper."""

    class Source(models.TextChoices):
        PLATFORM = "platform", _("Issued on this platform")
        OUTSIDE = "outside", _("Obtained elsewhere")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="qualifications")
    kind = models.ForeignKey(QualificationKind, verbose_name=_("kind"), on_delete=models.PROTECT,
                             related_name="held")
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    issuer = models.CharField(_("issued by"), max_length=255)
    number = models.CharField(_("number"), max_length=64)
    issued_on = models.DateField(_("issued on"))
    valid = models.BooleanField(_("valid"), default=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # A platform entry names what it follows ("courses.enrolment:12"); HR's entries leave it empty.
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    scan = models.FileField(_("scan"), upload_to=scan_upload_path, max_length=255, blank=True)
    scan_type = models.CharField(_("scan type"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["person", "issued_on", "pk"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [
            models.UniqueConstraint(fields=["reference"], condition=~models.Q(reference=""),
                                    name="qualification_reference_once"),
            models.CheckConstraint(condition=models.Q(source="outside", reference="")
                                   | models.Q(source="platform") & ~models.Q(reference=""),
                                   name="qualification_reference_by_source"),
        ]
        indexes = [models.Index(fields=["person", "kind"], name="qualification_person_kind")]

    def __str__(self) -> str:
        return f"{self.kind} – {self.number}"
