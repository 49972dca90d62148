from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.userkit import filter_users_by_email
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is closed: accounts come from HR imports and exam registrations.

    A later issue (contest registration) opens it for its own flow by overriding
    :meth:`is_open_for_signup` for that request.
    """

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(getattr(request, "signup_open", False))

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """The key ``login_failed``'s per-key limit counts under (ACCOUNT_RATE_LIMITS): the account the login names,
        whichever way it is written. allauth keys it on the login string, so the username and the email of one
        account each got their own five tries (and the email still signed in while the username was locked). A
        login that names no account, or several, keeps the string as its key."""
        login = str(credentials.get("email", credentials.get("username", ""))).strip()
        accounts = {user.pk for user in User.objects.filter(username__iexact=login)} if login else set()
        if "@" in login:
            accounts |= {user.pk for user in filter_users_by_email(login, for_login=True)}
        if len(accounts) != 1:
            return super()._get_login_attempts_cache_key(request, **credentials)
        return f"{get_current_site(request).domain}:account:{accounts.pop()}"
