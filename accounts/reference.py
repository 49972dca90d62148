"""Reference data shipped with the code: ethnic groups, ranks, the neutral organisation profile.

Data migrations call :func:`sync_reference_data` so every command works on a database that has only
been migrated (DESIGN.md §9).
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

ETHNIC_GROUPS_FILE = Path(__file__).resolve().parent / "data" / "ethnic-groups.txt"

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

RANKS = [
    ("01.001", "Chuyên viên cao cấp"),
    ("01.002", "Chuyên viên chính"),
    ("01.003", "Chuyên viên"),
    ("01.004", "Cán sự"),
    ("01.005", "Nhân viên"),
]


@cache
def ethnic_groups() -> list[tuple[str, list[str]]]:
    """[(official name, [aliases])] in the file's order (Kinh first)."""
    groups = []
    for raw in ETHNIC_GROUPS_FILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, *aliases = (part.strip() for part in line.split(" | "))
        groups.append((unicodedata.normalize("NFC", name), [unicodedata.normalize("NFC", a) for a in aliases]))
    return groups


def ethnicity_key(text: str) -> str:
    """Matching key: NFC, case folded, spaces and hyphens removed. No fuzzy matching."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "-‐‑–")


def sync_reference_data(Ethnicity, Rank, OrganisationProfile, neutral_profile: dict) -> None:
    """Create or update the reference rows. Safe to run again."""
    for code, (name, aliases) in enumerate(ethnic_groups(), start=1):
        Ethnicity.objects.update_or_create(code=code, defaults={"name": name, "aliases": aliases})
    for code, name in RANKS:
        Rank.objects.update_or_create(code=code, defaults={"name": name})
    if not OrganisationProfile.objects.exists():
        OrganisationProfile.objects.create(**neutral_profile)


def ethnicity_index(Ethnicity) -> dict:
    """Every official name and alias (folded with :func:`ethnicity_key`) → the ethnic group."""
    index = {}
    for group in Ethnicity.objects.all():
        for name in [group.name, *group.aliases]:
            index[ethnicity_key(name)] = group
    return index
