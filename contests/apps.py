from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contests"
    verbose_name = _("Contests")

    def ready(self) -> None:
        from accounts import audit_labels, dashboard, session_life
        from accounts.roles import Role
        from contests.dashboard import ACTION_LABELS, organiser_items, participant_items
        from contests.entries import host_register
        from contests.signup import participant_session_until

        dashboard.register(Role.CONTEST_ORGANISER, organiser_items)
        dashboard.register_personal(participant_items)
        audit_labels.register(ACTION_LABELS)
        session_life.register_session_life(participant_session_until)  # signed in once a contest
        host_register()  # the engine's host of contest entries
