from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("People and units")

    def ready(self) -> None:
        from accounts import signals  # noqa: F401
        from accounts.services import sync_roles

        # Permissions exist only after post_migrate, so groups are synced then (idempotent).
        post_migrate.connect(sync_roles, sender=self, dispatch_uid="accounts.sync_roles")
