"""URL path converters. ``<id:pk>`` is Django's ``<int:…>`` bounded to what a database key can hold: a 20-digit
number in a URL is a 404, not a 500 (SQLite refuses integers past 64 bits with OverflowError). Every route uses it
(tests/platform/test_urls.py checks that none uses ``int``)."""

from __future__ import annotations

from django.urls import register_converter
from django.urls.converters import IntConverter


class IdConverter(IntConverter):
    regex = "[0-9]{1,18}"  # below 2**63 whatever the digits


# Registered when a URL module imports this one (each that uses ``<id:…>`` does).
register_converter(IdConverter, "id")
