from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is closed: accounts come from HR imports and exam registrations.

    A later issue (contest registration) opens it for its own flow by overriding
    :meth:`is_open_for_signup` for that request.
    """

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(getattr(request, "signup_open", False))
