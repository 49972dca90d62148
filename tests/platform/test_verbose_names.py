"""Nothing English or raw on a Vietnamese page: every field of the platform's models names itself (a translated
verbose name), so a form, an error or an admin-free list never shows "Subject:" or "room_session"."""
import pytest
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

APPS = ("accounts", "exams", "courses")


def _fields():
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                if getattr(field, "concrete", False) and not field.auto_created and hasattr(field, "verbose_name"):
                    yield model, field


def test_every_field_has_a_verbose_name_of_its_own():
    bare = [f"{model.__name__}.{field.name}" for model, field in _fields()
            if not isinstance(field.verbose_name, Promise)]
    assert bare == []


@pytest.mark.parametrize("language", ["vi"])
def test_every_verbose_name_is_translated(language):
    untranslated = []
    for model, field in _fields():
        if not isinstance(field.verbose_name, Promise):
            continue
        with translation.override(None):
            english = str(field.verbose_name)
        with translation.override(language):
            if str(field.verbose_name) == english:
                untranslated.append(f"{model.__name__}.{field.name}: {english}")
    assert untranslated == []
