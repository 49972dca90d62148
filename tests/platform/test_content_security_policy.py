"""The Content-Security-Policy header (django-csp): one strict policy, on every page and in every mode."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.platform.test_settings import PRODUCTION, run

POLICY = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
    "connect-src": "'self'", "object-src": "'none'", "base-uri": "'none'", "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
def test_an_ordinary_page_carries_the_strict_policy(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert "Content-Security-Policy-Report-Only" not in response  # enforced, not only reported


@pytest.mark.django_db
def test_a_staff_page_and_a_refusal_carry_it_too(client, make_user):
    client.force_login(make_user())
    assert directives(client.get(reverse("dashboard"))["Content-Security-Policy"]) == POLICY
    refused = client.get(reverse("people_list"))
    assert refused.status_code == 403
    assert directives(refused["Content-Security-Policy"]) == POLICY


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_is_refused_in_the_site_s_frame_with_no_inline_style():
    refused = Client(enforce_csrf_checks=True).post(reverse("account_login"), {"login": "x", "password": "y"})
    assert refused.status_code == 403
    assert directives(refused["Content-Security-Policy"]) == POLICY
    assert "<style" not in refused.content.decode()  # Django's built-in page has one: 403_csrf.html replaces it
    assert [t.name for t in refused.templates][:2] == ["403_csrf.html", "base.html"]


PROBE = """
import json, django
from django.conf import settings
django.setup()
from csp.utils import build_policy
print(json.dumps({"policy": build_policy(), "middleware": "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE}))
"""


@pytest.mark.parametrize("mode", [{"APP_ENV": "dev"}, {"APP_ENV": "demo"}, PRODUCTION])
def test_every_mode_enforces_the_same_policy(tmp_path, mode):
    proc = run(mode, code=PROBE, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    built = json.loads(proc.stdout)
    assert built["middleware"] is True
    assert directives(built["policy"]) == POLICY
