"""Certificates (Thông tư 01/2018/TT-BNV; docs/certificates.md): issued to the learners a closed class's completion
list qualifies, each with a serial number in the institution's series and an entry in the issuance register; reissued
on correction, revoked with a reason, replaced by a completion certification when lost. What the paper says is
written into the certificate when it is issued and never changes; a correction is a new certificate."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models.classes import Enrolment, Institution


class Counter(models.Model):
    """A number that only grows: a certificate series (its stem, e.g. "QLNN-CV-2026") or an issuance register (an
    institution's, per year). Taken by an UPDATE … SET value = value + n, so two issuers never get the same."""

    key = models.CharField(_("key"), max_length=80, unique=True)
    value = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("counter")

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"


def certificate_file_path(instance, filename: str) -> str:
    return f"certificates/{instance.token[:2]}/{uuid.uuid4().hex}.pdf"


class Certificate(models.Model):
    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("Certificate")
        COMPLETION = "completion", _("Completion certification")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REPLACED = "replaced", _("Replaced")
        REVOKED = "revoked", _("Revoked")

    class Why(models.TextChoices):
        CORRECTION = "correction", _("Reissued after a correction")
        LOST = "lost", _("Lost; replaced by a completion certification")

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT,
                                  related_name="certificates")
    institution = models.ForeignKey(Institution, verbose_name=_("training institution"), on_delete=models.PROTECT,
                                    related_name="certificates")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CERTIFICATE)
    serial = models.CharField(_("serial number"), max_length=64, unique=True)
    register_year = models.PositiveSmallIntegerField(_("register year"))
    register_number = models.PositiveIntegerField(_("entry in the issuance register"))
    token = models.CharField(_("verification token"), max_length=32, unique=True)
    # The public page the QR code carries, as the site's address was when the certificate was issued.
    verify_url = models.CharField(_("verification address"), max_length=255)
    issued_on = models.DateField(_("issued on"))
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    # What the paper says, as it was on the day it was issued.
    holder_name = models.CharField(_("holder"), max_length=200)
    holder_birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    holder_gender = models.CharField(_("gender"), max_length=3, blank=True)
    holder_cccd = models.CharField(_("citizen ID (CCCD)"), max_length=12, blank=True)
    holder_unit = models.CharField(_("unit"), max_length=255, blank=True)
    programme_name = models.CharField(_("programme"), max_length=255)
    class_name = models.CharField(_("class"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    average = models.DecimalField(_("average"), max_digits=4, decimal_places=2, null=True, blank=True)
    band = models.CharField(_("band"), max_length=32, blank=True)
    institution_name = models.CharField(_("training institution"), max_length=255)
    letterhead_line_1 = models.CharField(_("letterhead, first line"), max_length=255, blank=True)
    letterhead_line_2 = models.CharField(_("letterhead, second line"), max_length=255, blank=True)
    place_name = models.CharField(_("place name in dates"), max_length=120, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=255, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=255, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    # A completion certification names the certificate it stands for.
    stands_for = models.ForeignKey("self", verbose_name=_("stands for"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.VALID)
    replaced_by = models.OneToOneField("self", verbose_name=_("replaced by"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="replaces")
    replaced_why = models.CharField(_("why replaced"), max_length=16, choices=Why.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Rendered outside the request lanes once issued (courses/certificate_render.py): the designed certificate and
    # the variable text alone for the pre-printed form (phôi), both at zero offset.
    pdf = models.FileField(_("PDF"), upload_to=certificate_file_path, max_length=255, blank=True)
    form_pdf = models.FileField(_("PDF for the pre-printed form"), upload_to=certificate_file_path, max_length=255,
                                blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    render_claimed_at = models.DateTimeField(_("rendering since"), null=True, blank=True)
    render_error = models.CharField(_("rendering error"), max_length=500, blank=True)

    class Meta:
        ordering = ["register_year", "register_number"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["enrolment"], condition=models.Q(status="valid"),
                                    name="certificate_one_valid_per_enrolment"),
            models.UniqueConstraint(fields=["institution", "register_year", "register_number"],
                                    name="certificate_register_entry_once"),
            models.CheckConstraint(condition=models.Q(status="replaced", replaced_by__isnull=False)
                                   | ~models.Q(status="replaced") & models.Q(replaced_by__isnull=True),
                                   name="certificate_replaced_has_successor"),
            models.CheckConstraint(condition=~models.Q(status="revoked") | ~models.Q(reason=""),
                                   name="certificate_revoked_has_reason"),
        ]
        indexes = [models.Index(fields=["rendered_at"], name="certificate_to_render",
                                condition=models.Q(rendered_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.serial} – {self.holder_name}"
