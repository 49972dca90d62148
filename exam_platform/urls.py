from captcha.views import captcha_image
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from exam_platform import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    # Before the others: the exam engine's routes (exam day first) are the busiest, and none of them shadows a
    # route below (tests/platform/test_urls.py).
    path("", include("exams.urls")),
    path("courses/", include("courses.urls")),
    path("contests/", include("contests.urls")),
    path("verify/", include("courses.verify_urls")),  # printed in every certificate's QR code: never moves
    # The language switch sets only the reader's language cookie: it takes no CSRF token, so that a page shared by all
    # anonymous readers (shared_pages.py) carries none. A forged switch changes a display preference, nothing else.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # The contest sign-up's captcha picture (only it: no audio, the page itself draws a new one).
    path("captcha/image/<str:key>/", captcha_image, {"scale": 1}, name="captcha-image"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
]
