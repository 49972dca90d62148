"""Audit records for sign-in events (allauth and Django send these signals); the cached profile's upkeep; a TOTP
activated in a session counts as that session's second factor (accounts/two_factor.py); a session's end closes its
sockets (accounts/sockets.py)."""

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.signals import authenticator_added
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import OrganisationProfile
from accounts.services import audit_record, client_ip
from accounts.sockets import sockets_close, tag_session
from accounts.two_factor import record_totp_activation


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def _audit_login(sender, request, user, **kwargs):
    audit_record(actor=user, action="auth.login", obj=user, ip=client_ip(request))


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def _audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="auth.logout", obj=user, ip=client_ip(request))


@receiver(user_logged_in, dispatch_uid="accounts.tag_session_for_sockets")
def _tag_session_for_sockets(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        tag_session(request.session)


@receiver(user_logged_out, dispatch_uid="accounts.close_sockets_on_logout")
def _close_sockets_on_logout(sender, request, user, **kwargs):
    """The sockets this session opened close with it (sent before the session is emptied: its tag names them)."""
    if user is not None and request is not None:
        sockets_close(user_id=user.pk, session=request.session)


@receiver([password_changed, password_set, password_reset], dispatch_uid="accounts.close_sockets_on_new_password")
def _close_other_sockets_on_new_password(sender, request, user, **kwargs):
    """A new password ends the person's other sessions (Django's session hash): their sockets close too; the
    session that set it, if it is the person's, keeps its own."""
    own = request is not None and getattr(request, "user", None) is not None and request.user.pk == user.pk
    sockets_close(user_id=user.pk, keep_session=request.session if own else None)


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def _audit_login_failed(sender, credentials, request=None, **kwargs):
    login = str(credentials.get("username") or credentials.get("email") or credentials.get("login") or "")[:150]
    audit_record(actor=None, action="auth.login_failed", ip=client_ip(request), details={"login": login})


@receiver([post_save, post_delete], sender=OrganisationProfile, dispatch_uid="accounts.profile_cache")
def _forget_cached_profile(sender, **kwargs):
    """Pages show the new site name and footer at once (OrganisationProfile.for_pages)."""
    cache.delete(OrganisationProfile.CACHE_KEY)


@receiver(authenticator_added, dispatch_uid="accounts.totp_activation_counts")
def _totp_activation_counts(sender, request, user, authenticator, **kwargs):
    record_totp_activation(request=request, user=user, authenticator=authenticator)


def _connect_grant_changes() -> None:
    """Who holds which role, and what each role grants: any change forgets the remembered grants (accounts/grants.py).
    A group's or permission's deletion takes its links with it without an m2m signal: hence post_delete too."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed

    from accounts.grants import grants_changed
    from accounts.models import User

    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(grants_changed, sender=through, dispatch_uid=f"accounts.grants.{through.__name__}")
    for model in (Group, Permission):
        post_save.connect(grants_changed, sender=model, dispatch_uid=f"accounts.grants.save.{model.__name__}")
        post_delete.connect(grants_changed, sender=model, dispatch_uid=f"accounts.grants.delete.{model.__name__}")


_connect_grant_changes()
