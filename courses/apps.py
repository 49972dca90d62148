from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courses"
    verbose_name = _("Training")

    def ready(self) -> None:
        from accounts import audit_labels, dashboard, demo
        from accounts.roles import Role
        from courses import demo as courses_demo
        from courses.dashboard import ACTION_LABELS, hr_items, learner_items, lecturer_items, manager_items
        from courses.online_tests import ACTION_LABELS as TEST_LABELS
        from courses.online_tests import register_hosts
        from courses.written import ACTION_LABELS as WRITTEN_LABELS

        dashboard.register(Role.COURSE_MANAGER, manager_items)
        dashboard.register(Role.LECTURER, lecturer_items)
        dashboard.register(Role.HR_STAFF, hr_items)
        dashboard.register_personal(learner_items)
        audit_labels.register(ACTION_LABELS)
        audit_labels.register(WRITTEN_LABELS)
        audit_labels.register(TEST_LABELS)
        register_hosts()  # the engine's hosts of course tests (practice and graded)
        demo.register_seeder(courses_demo.seed)
