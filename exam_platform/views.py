"""Project-level views: the home redirect and the health checks."""

from __future__ import annotations

import asyncio
import ipaddress

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import is_staff_member
from accounts.services import client_ip
from accounts.two_factor import Step, staff_second_factor_step
from exam_platform import health
from exam_platform.lanes import lanes_report
from exams.candidate.room_scope import is_exam_room_session


def home(request):
    return redirect("dashboard" if request.user.is_authenticated else "account_login")


@require_GET
def livez(request):
    """Liveness only: the process answers. Also the trivial endpoint benchmarks compare against."""
    return HttpResponse("ok", content_type="text/plain")


def _kind_guess(name: str) -> str:
    if name == "database":
        return connection.vendor
    if name == "cache":
        return "redis" if "redis" in settings.CACHES["default"]["BACKEND"].lower() else "locmem"
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    return "channels_redis" if backend.startswith("channels_redis") else "in_memory"


# Headers a forwarding proxy adds: with one of them and no proxy configured, the connection's address may be the
# proxy's own (loopback, private), not the client's, and says nothing about who is asking.
FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _from_internal_network(request) -> bool:
    proxied = settings.ALLAUTH_TRUSTED_PROXY_COUNT or settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER
    if not proxied and any(request.META.get(header) for header in FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(client_ip(request) or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in settings.HEALTHZ_DETAIL_NETWORKS)


def _signed_in_staff(request) -> bool:
    """A full session of a staff member, second factor passed where it is required (not an exam-room session)."""
    user, session = request.user, request.session
    return bool(user.is_authenticated and is_staff_member(user) and not is_exam_room_session(session)
                and staff_second_factor_step(user=user, session=session, route=None) is Step.NONE)


def _shows_details(request) -> bool:
    return _from_internal_network(request) or _signed_in_staff(request)


@never_cache
@require_GET
async def healthz(request):
    """State and kind of the database, cache and channel layer, and whether the request lanes move; 503 when one
    is down, or when every lane has been running the same request for over HEALTHZ_LANE_BUSY_SECONDS (the
    server answers /livez but serves nobody). The ASGI handler runs this outside the lanes (lanes.py).

    The details name the backends and the deployment: only internal networks (HEALTHZ_DETAIL_NETWORKS) and signed-in
    staff read them; anyone else gets the same status code and ``{"status": ...}`` alone."""
    lanes = lanes_report(busy_seconds=settings.HEALTHZ_LANE_BUSY_SECONDS)
    checks = {
        "database": sync_to_async(health.check_database, thread_sensitive=True),
        "cache": sync_to_async(health.check_cache, thread_sensitive=True),
        "channel_layer": health.check_channel_layer,
    }
    body: dict = {"app_env": settings.APP_ENV, "lanes": lanes}
    healthy = lanes["ok"]
    for name, check in checks.items():
        try:
            body[name] = {"ok": True, **(await asyncio.wait_for(check(), timeout=5))}
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none raised
            healthy = False
            body[name] = {"ok": False, "kind": _kind_guess(name), "error": exc.__class__.__name__}
    body["status"] = "ok" if healthy else "error"
    if not await sync_to_async(_shows_details, thread_sensitive=True)(request):
        body = {"status": body["status"]}
    return JsonResponse(body, status=200 if healthy else 503)
