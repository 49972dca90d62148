"""Audit records for sign-in events (allauth and Django send these signals); the cached profile's upkeep."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import OrganisationProfile
from accounts.services import audit_record, client_ip


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def _audit_login(sender, request, user, **kwargs):
    audit_record(actor=user, action="auth.login", obj=user, ip=client_ip(request))


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def _audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="auth.logout", obj=user, ip=client_ip(request))


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def _audit_login_failed(sender, credentials, request=None, **kwargs):
    login = str(credentials.get("username") or credentials.get("email") or credentials.get("login") or "")[:150]
    audit_record(actor=None, action="auth.login_failed", ip=client_ip(request), details={"login": login})


@receiver([post_save, post_delete], sender=OrganisationProfile, dispatch_uid="accounts.profile_cache")
def _forget_cached_profile(sender, **kwargs):
    """Pages show the new site name and footer at once (OrganisationProfile.for_pages)."""
    cache.delete(OrganisationProfile.CACHE_KEY)
