from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exams"
    verbose_name = _("Exams")

    def ready(self) -> None:
        from accounts import audit_labels, dashboard, demo
        from accounts.roles import Role
        from exams import demo as exams_demo
        from exams.audit_labels import ACTION_LABELS
        from exams.dashboard import bank_items, candidate_items, exam_items, invigilator_items, marker_items
        from exams.sessions import examday_cache  # noqa: F401 - connects the receivers that forget cached sittings

        dashboard.register(Role.QUESTION_AUTHOR, bank_items)
        dashboard.register(Role.HR_STAFF, exam_items)
        dashboard.register(Role.COUNCIL_MEMBER, exam_items)
        dashboard.register(Role.CANDIDATE, candidate_items)
        dashboard.register(Role.INVIGILATOR, invigilator_items)
        dashboard.register(Role.MARKER, marker_items)
        demo.register_seeder(exams_demo.seed)
        audit_labels.register(ACTION_LABELS)
