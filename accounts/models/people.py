"""People, units, ranks, the organisation profile, the audit log, notices and activation codes."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.cache import cache
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import lookups  # noqa: F401  (registers __all_digits and __length for the constraints below)
from accounts.reference import NEUTRAL_PROFILE
from accounts.vietnamese import normalize_name, search_key, split_name

MINORITY_EXCLUDED_CODE = 1  # Kinh: "ethnic minority" means any other group (docs/rules.md, "Candidate record")


class Ethnicity(models.Model):
    """One of the 54 ethnic groups (reference rows written by migration 0002)."""

    code = models.PositiveSmallIntegerField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ethnic group")
        verbose_name_plural = _("ethnic groups")

    def __str__(self) -> str:
        return self.name

    @property
    def is_minority(self) -> bool:
        return self.code != MINORITY_EXCLUDED_CODE


class Rank(models.Model):
    """A civil-service rank (ngạch), e.g. 01.003 chuyên viên."""

    code = models.CharField(_("rank code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=128)

    class Meta:
        ordering = ["code"]
        verbose_name = _("rank")
        verbose_name_plural = _("ranks")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class OrgUnit(models.Model):
    """A unit of the organisation tree, valid over a period (units merge and split over time).

    ``path`` is a materialised path of zero-padded ids ("000001/000007/") so a subtree is one
    ``path__startswith`` query on every database.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        DEPARTMENT = "department", _("Department")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune")
        DIVISION = "division", _("Division")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=32, null=True, blank=True, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False, default="")
    search_name = models.CharField(_("search name"), max_length=200, db_index=True, editable=False, default="")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_valid_to_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        """The unit with its parent, so that two units of one name are told apart ("Phòng Nội vụ – UBND huyện Lai
        Vung"). Lists select the parent with the unit (select_related("…parent"))."""
        return f"{self.name} – {self.parent.name}" if self.parent_id else self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class OrganisationProfile(models.Model):
    """The letterhead and signatory every official export takes (a single row, edited by HR)."""

    site_name = models.CharField(_("site name"), max_length=200)
    authority_line_1 = models.CharField(_("authority (first line)"), max_length=200)
    authority_line_2 = models.CharField(_("authority (second line)"), max_length=200)
    province_name = models.CharField(_("province name"), max_length=120)
    place_name = models.CharField(_("place name in dates"), max_length=120)
    home_affairs_name = models.CharField(_("department of home affairs"), max_length=200)
    signatory_title = models.CharField(_("signatory title"), max_length=120)
    signatory_deputy_title = models.CharField(_("deputy signatory title"), max_length=120, blank=True)
    signatory_name = models.CharField(_("signatory name"), max_length=120, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation profile")
        verbose_name_plural = _("organisation profile")

    def __str__(self) -> str:
        return self.site_name

    @classmethod
    def current(cls) -> OrganisationProfile:
        """The profile row (a data migration creates a neutral one)."""
        profile = cls.objects.order_by("pk").first()
        if profile is None:  # only if someone deleted it by hand
            profile = cls.objects.create(**NEUTRAL_PROFILE)
        return profile

    CACHE_KEY = "organisation-profile:v1"

    @classmethod
    def for_pages(cls) -> OrganisationProfile:
        """The profile for a page's frame (site name, footer), from the cache: every page shows it, and at an
        exam's start spike the query costs thousands of times a minute. Saving the profile clears the entry
        (accounts/signals.py); official documents read the row itself (``current``)."""
        return cache.get_or_set(cls.CACHE_KEY, cls.current, 300)


class PeopleManager(UserManager):
    def create_user(self, username, email=None, password=None, **extra_fields):
        return super().create_user(username, email or "", password, **extra_fields)


class User(AbstractUser):
    """A person: civil servant, staff member or contest participant, all one user model."""

    class Gender(models.TextChoices):
        MALE = "Nam", _("Male")
        FEMALE = "Nữ", _("Female")

    first_name = None
    last_name = None

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    search_name = models.CharField(_("search name"), max_length=200, db_index=True, editable=False, default="")
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=3, choices=Gender.choices, blank=True)
    ethnicity = models.ForeignKey(
        Ethnicity, verbose_name=_("ethnicity"), null=True, blank=True, on_delete=models.PROTECT
    )
    cccd = models.CharField(_("citizen ID (CCCD)"), max_length=12, null=True, blank=True, unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    rank = models.ForeignKey(Rank, verbose_name=_("current rank"), null=True, blank=True, on_delete=models.PROTECT)
    rank_since = models.DateField(_("in rank since"), null=True, blank=True)
    service_start = models.DateField(_("service start date"), null=True, blank=True)
    # Where a person the register did not know came from (a class's list of learners…): HR reviews such records.
    origin = models.CharField(_("added from"), max_length=255, blank=True, default="")
    # An account its holder made by signing up for a contest (docs/contests.md, "Signing up"): HR's people register
    # does not list it; an HR import of the same CCCD takes it into the register (accounts/imports.py).
    self_registered = models.BooleanField(_("signed up for a contest"), default=False, db_index=True)
    hr_scope = models.ForeignKey(
        OrgUnit,
        verbose_name=_("HR scope"),
        help_text=_("HR staff manage the people of this unit and the units below it."),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PeopleManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        permissions = [
            ("import_people", _("Can import people from a spreadsheet")),
            ("view_people_register", _("Can use the people register")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cccd__isnull=True) | (models.Q(cccd__all_digits=True) & models.Q(cccd__length=12)),
                name="user_cccd_is_12_digits",
            ),
            models.UniqueConstraint(Lower("email"), condition=~models.Q(email=""), name="user_email_unique_when_set"),
            models.CheckConstraint(condition=models.Q(gender__in=["", "Nam", "Nữ"]), name="user_gender_valid"),
            # Two sign-ups racing with one phone number: the second is refused like any taken number.
            models.UniqueConstraint(fields=["phone"], condition=models.Q(self_registered=True) & ~models.Q(phone=""),
                                    name="user_signup_phone_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        # Derived columns only; no side effects here.
        self.full_name = normalize_name(self.full_name)
        self.search_name = search_key(self.full_name)
        if self.email:
            self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return split_name(self.full_name)[2] or self.username

    @property
    def name_parts(self) -> tuple[str, str, str]:
        """(family, middle, given)."""
        return split_name(self.full_name)

    @property
    def cccd_masked(self) -> str:
        return mask_cccd(self.cccd)


def mask_cccd(cccd: str | None) -> str:
    """``087******123``: the first three and last three digits (docs/rules.md, "Personal data")."""
    if not cccd:
        return ""
    return f"{cccd[:3]}{'*' * (len(cccd) - 6)}{cccd[-3:]}"


class AuditLog(models.Model):
    """Append-only record of who did what. The database refuses UPDATE and DELETE (see migrations)."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, verbose_name=_("actor"), null=True, blank=True, on_delete=models.PROTECT)
    actor_repr = models.CharField(_("actor"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"], name="auditlog_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_repr} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        from accounts.audit_labels import action_label  # the register fills as the apps get ready

        return action_label(self.action)


class Notice(models.Model):
    """A short notice staff send to the people they are responsible for; delivered live over websockets."""

    EVERYONE = "everyone"

    author = models.ForeignKey(User, verbose_name=_("author"), on_delete=models.PROTECT, related_name="notices")
    text = models.CharField(_("text"), max_length=500)
    # Who it reaches: everyone signed in, or the holders of one role (accounts.notices).
    audience = models.CharField(_("audience"), max_length=32, default=EVERYONE)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.text


class ActivationCode(models.Model):
    """A single-use code with which a person chooses their first permanent password (accounts/activation.py):
    printed on a slip by HR, or sent as a link where outgoing mail works; or, with the enrolment purpose, the second
    proof a staff member gives with their first authenticator (accounts/enrolment.py). Only its hash is stored;
    issuing another voids this one (at most one live code per person and purpose, held by the database)."""

    class Channel(models.TextChoices):
        PRINTED = "printed", _("Printed slip")
        EMAIL = "email", _("Emailed link")

    class Purpose(models.TextChoices):
        ACTIVATION = "activation", _("First password")
        ENROLMENT = "enrolment", _("Two-factor enrolment")

    person = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="activation_codes")
    code_hash = models.CharField(_("code hash"), max_length=128)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices, default=Purpose.ACTIVATION)
    issued_by = models.ForeignKey(User, verbose_name=_("issued by"), null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")
        constraints = [
            models.UniqueConstraint(fields=["person", "purpose"],
                                    condition=models.Q(used_at__isnull=True, voided_at__isnull=True),
                                    name="activationcode_one_live_per_person_purpose"),
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("issued_at")),
                                   name="activationcode_expires_after_issue"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_channel_display()} · {self.issued_at:%Y-%m-%d}"

    @property
    def is_live(self) -> bool:
        return self.used_at is None and self.voided_at is None and timezone.now() < self.expires_at
