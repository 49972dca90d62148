"""The training catalogue and its classes: institutions, programmes (by rank or by position) in parts of modules,
the assessments a programme requires, classes, sessions, learners, attendance, scores (docs/courses.md)."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import QualificationKind, Rank


class Institution(models.Model):
    """A training institution as data (a provincial political school, a branch of the national academy): its
    letterhead, who signs its certificates and the series their serial numbers run in."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    letterhead_line_1 = models.CharField(_("letterhead, first line"), max_length=255, blank=True)
    letterhead_line_2 = models.CharField(_("letterhead, second line"), max_length=255, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=255, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=255, blank=True)
    serial_prefix = models.CharField(_("certificate serial prefix"), max_length=16, blank=True)
    place_name = models.CharField(_("place name in dates"), max_length=120, blank=True)
    # Where the variable text lands on the institution's pre-printed forms (phôi): the printer's shift, in mm.
    form_offset_x_mm = models.DecimalField(_("form offset, across (mm)"), max_digits=4, decimal_places=1,
                                           default=Decimal(0), validators=[MinValueValidator(Decimal(-50)),
                                                                           MaxValueValidator(Decimal(50))])
    form_offset_y_mm = models.DecimalField(_("form offset, down (mm)"), max_digits=4, decimal_places=1,
                                           default=Decimal(0), validators=[MinValueValidator(Decimal(-50)),
                                                                           MaxValueValidator(Decimal(50))])

    class Meta:
        ordering = ["name"]
        verbose_name = _("training institution")
        verbose_name_plural = _("training institutions")

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """A programme (chương trình bồi dưỡng). Its code names it across versions: a programme changed after a class
    has started becomes a new version, and running classes keep theirs."""

    class Target(models.TextChoices):
        RANK = "rank", _("A rank")
        POSITION = "position", _("A leadership position")

    code = models.CharField(_("code"), max_length=32)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=255)
    target = models.CharField(_("target"), max_length=16, choices=Target.choices)
    target_rank = models.ForeignKey(Rank, verbose_name=_("target rank"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    target_position = models.CharField(_("target position"), max_length=255, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    # What the certificate of this programme is in the people register (one kind per programme code).
    qualification_kind = models.ForeignKey(QualificationKind, verbose_name=_("certificate kind"), null=True,
                                           blank=True, on_delete=models.PROTECT, related_name="+")
    preset = models.CharField(_("preset"), max_length=64, blank=True)
    # The preset's shape is a default the institution adjusts (the leadership programme's is not fixed by law).
    default_to_adjust = models.BooleanField(_("a default to adjust"), default=False)
    attendance_threshold = models.DecimalField(
        _("attendance needed (%)"), max_digits=5, decimal_places=2, default=Decimal(80),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))])
    institution = models.ForeignKey(Institution, verbose_name=_("training institution"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="programmes")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="programme_code_version_unique")]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Part(models.Model):
    """A part of a programme (phần: Kiến thức chung, Kỹ năng…)."""

    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.CASCADE,
                                  related_name="parts")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        ordering = ["programme", "order"]
        verbose_name = _("part")
        constraints = [models.UniqueConstraint(fields=["programme", "order"], name="part_order_unique")]

    def __str__(self) -> str:
        return self.name


class Module(models.Model):
    """A module of a part (chuyên đề): a teaching topic (CD01…), a report topic (BC01…) or a field trip (TT01…),
    coded in programme order, with its periods (tiết)."""

    class Kind(models.TextChoices):
        TEACHING = "teaching", _("Teaching topic")
        REPORT = "report", _("Report topic")
        FIELD_TRIP = "field_trip", _("Field trip")

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.CASCADE, related_name="modules")
    order = models.PositiveSmallIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=8)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=500)
    periods = models.PositiveSmallIntegerField(_("periods"), validators=[MinValueValidator(1)])
    # A title the platform wrote as an example: the institution replaces it with its own.
    sample = models.BooleanField(_("sample content"), default=False)

    class Meta:
        ordering = ["part__order", "order"]
        verbose_name = _("module")
        constraints = [models.UniqueConstraint(fields=["part", "order"], name="module_order_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Assessment(models.Model):
    """An assessment the programme requires (Thông tư 01/2018/TT-BNV): a part test, a thu hoạch, a tiểu luận or an
    đề án, on a 10-point scale with a pass mark of 5 by default."""

    class Kind(models.TextChoices):
        TEST = "test", _("Test (multiple choice)")
        REFLECTION = "reflection", _("Reflection paper (thu hoạch)")
        ESSAY = "essay", _("Essay (tiểu luận)")
        PROJECT = "project", _("Project (đề án)")

    class Counts(models.TextChoices):
        BEST = "best", _("The best try")
        LAST = "last", _("The last try")

    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.CASCADE,
                                  related_name="assessments")
    order = models.PositiveSmallIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    part = models.ForeignKey(Part, verbose_name=_("after the part"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="assessments")
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=Decimal(1),
                                 validators=[MinValueValidator(Decimal("0.01"))])
    scale = models.DecimalField(_("scale"), max_digits=5, decimal_places=2, default=Decimal(10))
    pass_mark = models.DecimalField(_("pass mark"), max_digits=5, decimal_places=2, default=Decimal(5))
    retakes = models.PositiveSmallIntegerField(_("retakes allowed"), default=1)
    counts = models.CharField(_("which try counts"), max_length=8, choices=Counts.choices, default=Counts.BEST)

    class Meta:
        ordering = ["programme", "order"]
        verbose_name = _("assessment")
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="assessment_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class CourseClass(models.Model):
    """A class (lớp, e.g. "K60") running one version of a programme."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        BLENDED = "blended", _("Blended")

    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.PROTECT,
                                  related_name="classes")
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.IN_PERSON)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="class_name_unique_in_programme"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="class_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.programme.code}"


class ClassStaff(models.Model):
    """Who runs a class: its head (chủ nhiệm lớp) and its lecturers."""

    class Role(models.TextChoices):
        HEAD = "head", _("Class head")
        LECTURER = "lecturer", _("Lecturer")

    course_class = models.ForeignKey(CourseClass, verbose_name=_("class"), on_delete=models.CASCADE,
                                     related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                             related_name="class_roles")
    role = models.CharField(_("role in the class"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("class staff")
        constraints = [models.UniqueConstraint(fields=["course_class", "user", "role"], name="class_staff_once")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class Session(models.Model):
    """One half-day of a class's schedule: its date, morning or afternoon, the module taught and its periods."""

    class Half(models.TextChoices):
        MORNING = "am", _("Morning")  # "am" sorts before "pm": a day's sessions in order
        AFTERNOON = "pm", _("Afternoon")

    course_class = models.ForeignKey(CourseClass, verbose_name=_("class"), on_delete=models.CASCADE,
                                     related_name="sessions")
    date = models.DateField(_("date"))
    half = models.CharField(_("half-day"), max_length=16, choices=Half.choices)
    module = models.ForeignKey(Module, verbose_name=_("module"), on_delete=models.PROTECT, related_name="sessions")
    periods = models.PositiveSmallIntegerField(_("periods"), validators=[MinValueValidator(1)])
    lecturer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lecturer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["date", "half"]
        verbose_name = _("session")
        constraints = [models.UniqueConstraint(fields=["course_class", "date", "half"], name="session_once_per_half")]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_half_display()}"


class Enrolment(models.Model):
    """A learner in a class, with what the class's list said of them (unit, position, rank) as written."""

    course_class = models.ForeignKey(CourseClass, verbose_name=_("class"), on_delete=models.CASCADE,
                                     related_name="enrolments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("learner"), on_delete=models.PROTECT,
                               related_name="enrolments")
    list_order = models.PositiveIntegerField(_("order on the list"), default=0)
    unit_text = models.CharField(_("unit (as listed)"), max_length=255, blank=True)
    position_text = models.CharField(_("position (as listed)"), max_length=200, blank=True)
    rank_text = models.CharField(_("rank (as listed)"), max_length=100, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)

    class Meta:
        ordering = ["course_class", "list_order", "pk"]
        verbose_name = _("enrolment")
        constraints = [models.UniqueConstraint(fields=["course_class", "person"], name="enrolment_once_per_class")]

    def __str__(self) -> str:
        return f"{self.person} – {self.course_class.name}"


class How(models.TextChoices):
    """How a record of a class was set: every mark and score says who set it and how."""

    PAGE = "page", _("On the page")
    SHEET = "sheet", _("From the imported sheet")
    CHECK_IN = "check_in", _("Self check-in")
    CORRECTION = "correction", _("Correction after closing")
    ONLINE_TEST = "online_test", _("Graded test on the platform")
    WRITTEN = "written", _("Graded written work")


class Attendance(models.Model):
    """A learner's mark for one session: present (x), excused absence (P) or unexcused absence (K)."""

    class Mark(models.TextChoices):
        PRESENT = "x", _("Present")
        EXCUSED = "P", _("Excused absence")
        ABSENT = "K", _("Unexcused absence")

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE,
                                  related_name="attendance")
    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="attendance")
    mark = models.CharField(_("mark"), max_length=1, choices=Mark.choices)
    how = models.CharField(_("set how"), max_length=16, choices=How.choices)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance mark")
        constraints = [models.UniqueConstraint(fields=["enrolment", "session"], name="attendance_once_per_session"),
                       models.CheckConstraint(condition=models.Q(mark__in=["x", "P", "K"]), name="attendance_mark")]

    def __str__(self) -> str:
        return f"{self.session}: {self.mark}"


class CheckInWindow(models.Model):
    """A session's self check-in while it is open: the secret its rotating codes are made from."""

    session = models.OneToOneField(Session, verbose_name=_("session"), on_delete=models.CASCADE,
                                   related_name="check_in")
    secret = models.CharField(_("secret"), max_length=64)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes at"))

    class Meta:
        verbose_name = _("self check-in")

    def __str__(self) -> str:
        return str(self.session)


class Score(models.Model):
    """One try at an assessment: the first (try 1) or a retake (2, 3…). A try the learner was excused from has no
    score and ``excused`` set."""

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE,
                                  related_name="scores")
    assessment = models.ForeignKey(Assessment, verbose_name=_("assessment"), on_delete=models.PROTECT,
                                   related_name="scores")
    attempt = models.PositiveSmallIntegerField(_("try"), default=1, validators=[MinValueValidator(1)])
    value = models.DecimalField(_("score"), max_digits=4, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10))])
    excused = models.BooleanField(_("excused"), default=False)
    how = models.CharField(_("set how"), max_length=16, choices=How.choices)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment score")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "assessment", "attempt"], name="score_once_per_try"),
            models.CheckConstraint(condition=models.Q(value__isnull=True, excused=True)
                                   | models.Q(value__gte=0, value__lte=10, excused=False), name="score_or_excused"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment.code} #{self.attempt}: {self.value}"


class Discipline(models.Model):
    """A disciplinary measure taken against a learner during the class (Thông tư 01/2018/TT-BNV): whether its
    level blocks the certificate is a setting (COURSE_BLOCKING_DISCIPLINE)."""

    class Level(models.TextChoices):
        REPRIMAND = "reprimand", _("Reprimand (khiển trách)")
        WARNING = "warning", _("Warning (cảnh cáo)")
        SUSPENSION = "suspension", _("Suspended from the class (đình chỉ học tập)")

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE,
                                  related_name="discipline")
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    reason = models.CharField(_("reason"), max_length=500)
    decided_on = models.DateField(_("decided on"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        ordering = ["decided_on", "pk"]
        verbose_name = _("disciplinary measure")

    def __str__(self) -> str:
        return self.get_level_display()
