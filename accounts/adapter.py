from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.userkit import filter_users_by_email
from django.contrib.sites.shortcuts import get_current_site
from django.forms import BaseForm
from django.http import HttpRequest

from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is closed: accounts come from HR imports and exam registrations. A contest's sign-up page opens it for
    its own request (contests/participant_views.py, ``request.signup_open``)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(getattr(request, "signup_open", False))

    # What a sign-up form may give about its person, besides allauth's username, email and password.
    SIGNUP_PERSON_FIELDS = ("full_name", "date_of_birth", "gender", "phone", "cccd")

    def save_user(self, request: HttpRequest, user: User, form: BaseForm, commit: bool = True) -> User:
        """An account made by signing up (docs/contests.md, "Signing up"): the person's particulars from the form,
        marked as signed up, so it stays out of HR's people register."""
        user = super().save_user(request, user, form, commit=False)
        for name in self.SIGNUP_PERSON_FIELDS:
            if name in form.cleaned_data:
                setattr(user, name, form.cleaned_data[name])
        user.self_registered = True
        if commit:
            user.save()
        return user

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
