"""Reference data every command relies on: the 54 ethnic groups, ranks, a neutral organisation profile.

The data and the sync are frozen here as accounts/reference.py and accounts/data/ethnic-groups.txt held them
when this migration was made (names NFC), so the migration keeps meaning what it meant when those change.
"""

from django.db import migrations

# (official name, [aliases]) in the official order, Kinh first; the code is the position from 1.
ETHNIC_GROUPS = [
    ('Kinh', ['Việt']),
    ('Tày', []),
    ('Thái', []),
    ('Mường', []),
    ('Khmer', ['Khơ-me', 'Khơ me']),
    ('Hoa', ['Hán']),
    ('Nùng', []),
    ('Mông', ["H'Mông", 'Hmông']),
    ('Dao', []),
    ('Gia Rai', ['Jarai']),
    ('Ê Đê', ['Rađê']),
    ('Ba Na', ['Bahnar']),
    ('Sán Chay', []),
    ('Chăm', []),
    ('Cơ Ho', ["K'Ho"]),
    ('Xơ Đăng', ['Sê Đăng']),
    ('Sán Dìu', []),
    ('Hrê', ["H're"]),
    ('Ra Glai', []),
    ('Mnông', ["M'Nông"]),
    ('Thổ', []),
    ('Xtiêng', ["X'tiêng", 'Stiêng']),
    ('Khơ Mú', ['Khmu']),
    ('Bru - Vân Kiều', ['Vân Kiều']),
    ('Cơ Tu', []),
    ('Giáy', []),
    ('Tà Ôi', ['Pa Cô']),
    ('Mạ', []),
    ('Giẻ - Triêng', []),
    ('Co', []),
    ('Chơ Ro', []),
    ('Xinh Mun', []),
    ('Hà Nhì', []),
    ('Chu Ru', []),
    ('Lào', []),
    ('Kháng', []),
    ('La Chí', []),
    ('Phù Lá', []),
    ('La Hủ', []),
    ('La Ha', []),
    ('Pà Thẻn', []),
    ('Chứt', []),
    ('Lự', []),
    ('Lô Lô', []),
    ('Mảng', []),
    ('Cờ Lao', []),
    ('Bố Y', []),
    ('Cống', []),
    ('Ngái', []),
    ('Si La', []),
    ('Pu Péo', []),
    ('Rơ Măm', []),
    ('Brâu', []),
    ('Ơ Đu', []),
]

RANKS = [
    ("01.001", "Chuyên viên cao cấp"),
    ("01.002", "Chuyên viên chính"),
    ("01.003", "Chuyên viên"),
    ("01.004", "Cán sự"),
    ("01.005", "Nhân viên"),
]

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


def forwards(apps, schema_editor):
    Ethnicity = apps.get_model("accounts", "Ethnicity")
    Rank = apps.get_model("accounts", "Rank")
    OrganisationProfile = apps.get_model("accounts", "OrganisationProfile")
    for code, (name, aliases) in enumerate(ETHNIC_GROUPS, start=1):
        Ethnicity.objects.update_or_create(code=code, defaults={"name": name, "aliases": aliases})
    for code, name in RANKS:
        Rank.objects.update_or_create(code=code, defaults={"name": name})
    if not OrganisationProfile.objects.exists():
        OrganisationProfile.objects.create(**NEUTRAL_PROFILE)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
