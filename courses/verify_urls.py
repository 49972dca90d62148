"""The public verification pages of certificates, mounted at /verify/ (the address printed in the QR codes)."""
from django.urls import path

from courses.views import verification

urlpatterns = [
    path("", verification.certificate_lookup, name="certificate_lookup"),
    path("<str:token>/", verification.certificate_verify, name="certificate_verify"),
]
