"""The training catalogue's demo data: two institutions and the two rank programmes from their presets."""
from __future__ import annotations

from django.utils.translation import gettext as _

from courses.models import Institution, Programme
from courses.presets import PRESETS
from courses.services import programme_create

INSTITUTIONS = [
    {"name": "Trường Chính trị tỉnh (demo)", "letterhead_line_1": "UBND TỈNH", "letterhead_line_2": "TRƯỜNG CHÍNH TRỊ",
     "signer_title": "HIỆU TRƯỞNG", "signer_name": "Nguyễn Văn Hiệu", "serial_prefix": "TCT"},
    {"name": "Phân viện Học viện Hành chính Quốc gia (demo)", "letterhead_line_1": "HỌC VIỆN HÀNH CHÍNH QUỐC GIA",
     "letterhead_line_2": "PHÂN VIỆN", "signer_title": "GIÁM ĐỐC", "signer_name": "Trần Thị Giám",
     "serial_prefix": "PV"},
]
PROGRAMMES = ["qlnn-chuyen-vien", "qlnn-chuyen-vien-chinh"]


def seed() -> dict:
    institutions = 0
    for spec in INSTITUTIONS:
        _institution, created = Institution.objects.get_or_create(name=spec["name"], defaults=spec)
        institutions += created
    programmes = 0
    school = Institution.objects.get(name=INSTITUTIONS[0]["name"])
    for slug in PROGRAMMES:
        if not Programme.objects.filter(code=PRESETS[slug].code).exists():
            programme = programme_create(preset_slug=slug, actor=None)
            Programme.objects.filter(pk=programme.pk).update(institution=school)
            programmes += 1
    made = [_("Training programme %(code)s: /courses/programmes/%(pk)s/") % {"code": p.code, "pk": p.pk}
            for p in Programme.objects.order_by("code")]
    return {"institutions_created": institutions, "programmes_created": programmes, "made": made}
