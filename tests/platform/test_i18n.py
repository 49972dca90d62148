import gettext
from pathlib import Path

import polib
import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [ROOT / "locale/vi/LC_MESSAGES", ROOT / "vendor_locale/vi/LC_MESSAGES"]


@pytest.mark.parametrize("folder", CATALOGUES, ids=["platform", "allauth"])
def test_every_message_is_translated_and_the_committed_mo_matches_the_po(folder):
    po = polib.pofile(str(folder / "django.po"))
    assert po.untranslated_entries() == [] and po.fuzzy_entries() == []
    compiled = gettext.GNUTranslations(open(folder / "django.mo", "rb"))  # noqa: SIM115
    for entry in po.translated_entries():
        if entry.msgid_plural:
            if entry.msgctxt:
                got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
            else:
                got = compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
            assert got == entry.msgstr_plural[0], entry.msgid
        elif entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr, entry.msgid
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


@pytest.mark.django_db
def test_the_interface_switches_to_english_and_back(client, hr_user):
    client.force_login(hr_user)
    assert "Trang chính" in client.get(reverse("dashboard")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/dashboard/"})
    html = client.get(reverse("dashboard")).content.decode()
    assert '<html lang="en"' in html and "People register" in html
    client.post(reverse("set_language"), {"language": "vi", "next": "/dashboard/"})
    assert '<html lang="vi"' in client.get(reverse("dashboard")).content.decode()


@pytest.mark.django_db
def test_demo_mode_shows_a_banner_and_dev_does_not(client, settings):
    settings.IS_DEMO = True
    assert "BẢN DEMO" in client.get(reverse("account_login")).content.decode()
    settings.IS_DEMO = False
    assert "BẢN DEMO" not in client.get(reverse("account_login")).content.decode()


@pytest.mark.django_db
def test_the_text_size_choice_is_remembered_by_the_server(client):
    client.cookies["text_size"] = "l"
    assert '<html lang="vi" class="text-l">' in client.get(reverse("account_login")).content.decode()
    client.cookies["text_size"] = "<script>"
    assert 'class="text-m"' in client.get(reverse("account_login")).content.decode()


@pytest.mark.django_db
def test_an_english_browser_still_gets_vietnamese_until_the_person_chooses(client):
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi"' in html and "Đăng nhập" in html
