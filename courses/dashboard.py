"""The training cards on the dashboard, and the names of the training's audited actions."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {"programme.create": _("Training programme created"), "programme.edit": _("Training programme edited"),
                 "institution.add": _("Training institution added"),
                 "institution.edit": _("Training institution edited"), "class.create": _("Training class created"),
                 "class.staff": _("Class head or lecturer assigned"),
                 "class.schedule_import": _("Class schedule imported"),
                 "class.learners_import": _("Class learners imported"),
                 "class.learner_remove": _("Learner taken off a class"),
                 "class.attendance_import": _("Sign-in sheet imported"),
                 "class.attendance_mark": _("Attendance marked"),
                 "class.check_in_open": _("Self check-in opened"), "class.check_in_close": _("Self check-in closed"),
                 "class.scores_import": _("Class scores imported"),
                 "class.discipline": _("Disciplinary measure recorded"),
                 "class.discipline_remove": _("Disciplinary measure removed"),
                 "class.close": _("Class closed"),
                 "class.export_completion": _("Completion list downloaded"),
                 "class.correction": _("Closed class's record corrected"),
                 "lesson.create": _("Lesson added"), "lesson.edit": _("Lesson edited"),
                 "lesson.delete": _("Lesson deleted"), "lesson.move": _("Lesson moved"),
                 "lesson.file_add": _("File attached to a lesson"),
                 "lesson.file_remove": _("File removed from a lesson"), "lesson.video": _("Lesson video changed")}
ACTION_LABELS.update({"certificates.decision_download": _("Certificate decision downloaded"),
                      "certificates.register_download": _("Certificate issuance register downloaded"),
                      "qualifications.report_download": _("Certificates and training report downloaded"),
                      "certificates.issue": _("Certificates issued"),
                      "certificate.reissue": _("Certificate reissued on correction"),
                      "certificate.completion": _("Completion certification issued for a lost certificate"),
                      "certificate.revoke": _("Certificate revoked"),
                      "certificates.print": _("Certificates downloaded for printing")})


def manager_items(user):
    from courses.models import CourseClass, Programme

    return [(_("Training programmes (%(n)s)") % {"n": Programme.objects.count()}, reverse("programme_list")),
            (_("Training classes (%(n)s)") % {"n": CourseClass.objects.count()}, reverse("class_list")),
            (_("Training institutions"), reverse("institution_list")),
            (_("Learners' feedback on the modules"), reverse("feedback_summary"))]


def lecturer_items(user):
    from courses.models import CourseClass

    return [(f"{c.name} – {c.programme.code}", reverse("class_detail", args=[c.pk]))
            for c in CourseClass.objects.filter(staff__user=user, closed_at__isnull=True).distinct()
            .select_related("programme").order_by("starts_on")]


def hr_items(user):
    return [(_("Certificates held and training under way"), reverse("qualification_report"))]


def learner_items(user):
    from courses.models import Enrolment

    closed = {at is not None for at in Enrolment.objects.filter(person=user).values_list("course_class__closed_at",
                                                                                          flat=True)}
    if not closed:
        return []
    items = [(_("My learning: lessons, tests, written work"), reverse("learn_home"))]  # a closed class: the certificate
    if False in closed:
        items.append((_("Check in to my class's session"), reverse("learner_check_in")))
    return items
