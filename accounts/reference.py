"""Reference data: the neutral organisation profile and matching ethnic groups by name.

The 54 ethnic groups and the ranks are rows written by migration accounts 0002 (frozen there, with the data it
loaded), so every command works on a database that has only been migrated.
"""

from __future__ import annotations

import unicodedata

NEUTRAL_PROFILE = {
    "site_name": "Nền tảng thi và bồi dưỡng công chức",
    "authority_line_1": "ỦY BAN NHÂN DÂN",
    "authority_line_2": "TỈNH ……………",
    "province_name": "……………",
    "place_name": "……………",
    "home_affairs_name": "Sở Nội vụ",
    "signatory_title": "CHỦ TỊCH",
    "signatory_deputy_title": "PHÓ CHỦ TỊCH",
    "signatory_name": "",
}


def ethnicity_key(text: str) -> str:
    """Matching key: NFC, case folded, spaces and hyphens removed. No fuzzy matching."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "-‐‑–")


def ethnicity_index(Ethnicity) -> dict:
    """Every official name and alias (folded with :func:`ethnicity_key`) → the ethnic group."""
    index = {}
    for group in Ethnicity.objects.all():
        for name in [group.name, *group.aliases]:
            index[ethnicity_key(name)] = group
    return index
