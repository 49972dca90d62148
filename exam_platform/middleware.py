"""The project's middleware: the language choice, and who reaches which page or socket (exam_platform/access.py).

Language: Vietnamese unless the person chose otherwise. Django's LocaleMiddleware follows the browser's
Accept-Language, which would show English to a civil servant on an exam-room PC with an English Windows. Here only
the explicit choice (the language cookie set by the switcher) changes the language.
"""

from urllib.parse import urlencode, urlsplit

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.vietnamese import without_format_characters
from exam_platform.access import Verdict, access_verdict
from exams.candidate import room_scope


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class AccessMiddleware:
    """The HTTP side of exam_platform/access.py: decided in ``process_view``, with the resolved url name and keyword
    arguments. An exam-room session outside its scope goes to the candidate's exam page (403 for anything but a
    GET), one whose scope is over is signed out; a staff member without this session's second factor goes to set
    it up, or to allauth's MFA re-authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if response.status_code == 302 and match is not None and match.url_name == "sitting_enter":
            _learn_started_attempt(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        route = request.resolver_match.url_name
        verdict = access_verdict(user=request.user, session=request.session, route=route, kwargs=view_kwargs)
        if verdict is Verdict.ALLOW:
            return None
        safe = request.method in ("GET", "HEAD")
        if verdict is Verdict.OUTSIDE_EXAM_ROOM:
            if not safe:
                raise PermissionDenied
            if route != "home":
                messages.warning(request, _("An exam-room login opens only the pages of your exam. Sign out, then "
                                            "sign in with your own account for anything else."))
            return redirect("my_exams")
        if verdict is Verdict.EXAM_ROOM_ENDED:
            logout(request)
            if not safe:
                raise PermissionDenied
            messages.info(request, _("Your exam-room session has ended. Sign in with your own account to see your "
                                     "results."))
            return redirect("account_login")
        step = "mfa_activate_totp" if verdict is Verdict.SET_UP_SECOND_FACTOR else "mfa_reauthenticate"
        return redirect(f"{reverse(step)}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}")


def _learn_started_attempt(request, response) -> None:
    """The room-code page of an exam-room session has just sent the candidate to their attempt: that attempt is the
    scoped registration's (one registration per person and exam), so the paper page that follows needs no lookup."""
    registration_id = room_scope.scoped_registration_id(request.session)
    if not registration_id:
        return
    try:
        target = resolve(urlsplit(response["Location"]).path)
    except Resolver404:
        return
    if target.url_name == "attempt_page":
        room_scope.remember_attempt(int(target.kwargs["pk"]), registration_id)


class SocketAccessMiddleware:
    """The websocket side of exam_platform/access.py, between the session/auth middleware and the URL router: a
    socket refused by the verdict is closed with 4403 before any consumer runs (anonymous sockets go on to the
    consumers, which close them with 4401)."""

    def __init__(self, router):
        self.router = router

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and getattr(scope.get("user"), "is_authenticated", False):
            route, kwargs = _socket_route(self.router.routes, scope["path"])
            if not await _socket_allowed(scope, route, kwargs):
                await receive()  # the handshake: refused before it is accepted
                await send({"type": "websocket.close", "code": 4403})
                return None
        return await self.router(scope, receive, send)


def _socket_route(routes, path: str) -> tuple[str | None, dict]:
    """The route's name and converted keyword arguments, matched as channels' URLRouter matches them."""
    path = path.lstrip("/")
    for route in routes:
        match = route.pattern.match(path)
        if match:
            return route.name, match[2]
    return None, {}


@database_sync_to_async
def _socket_allowed(scope, route: str | None, kwargs: dict) -> bool:
    verdict = access_verdict(user=scope["user"], session=scope["session"], route=route, kwargs=kwargs)
    if verdict is Verdict.EXAM_ROOM_ENDED:
        scope["session"].flush()
    return verdict is Verdict.ALLOW


class PlainTextInputMiddleware:
    """Every form field a person submits arrives without Unicode format characters (accounts.vietnamese.
    without_format_characters): names, reasons, incident notes and every other free text reach printed lists and
    exports, where a bidirectional override or a zero-width space falsifies what is read. Passwords are left as
    typed. Imported files are cleaned where their cells are read (accounts/cells.py), question text where it is
    sanitised (exams/banks/html.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                                 "multipart/form-data"):
            request.POST = _without_format_characters(request.POST)
        return self.get_response(request)


def _without_format_characters(data):
    cleaned = data.copy()
    for key, values in data.lists():
        if "password" not in key and any(not value.isascii() for value in values):
            cleaned.setlist(key, [without_format_characters(value) for value in values])
    cleaned._mutable = False
    return cleaned
