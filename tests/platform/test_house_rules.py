"""tools/house_rules.py: each rule fires on a small breach and stays quiet on the code it must allow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from tools.house_rules import ROOT, check_source


@pytest.fixture
def project(tmp_path) -> Path:
    """A tiny project: an app with a package of services and one module of helpers."""
    for package in ("app", "app/services", "app/views"):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "app" / "helpers.py").write_text("def _hidden():\n    pass\n")
    (tmp_path / "app" / "services" / "things.py").write_text("def _step():\n    pass\n")
    return tmp_path


def codes(source: str, path: str, root: Path) -> list[tuple[int, str]]:
    breaches = check_source(dedent(source), Path(path), root=root, roots=[root])
    return [(b.line, b.code) for b in breaches]


# --- HR001: views write nothing ------------------------------------------------------------------------------

@pytest.mark.parametrize("call", ["obj.save()", "obj.delete()", "Thing.objects.filter(pk=1).update(n=2)",
                                  "Thing.objects.create(n=1)", "Thing.objects.bulk_create([])",
                                  "Thing.objects.get_or_create(n=1)", "Thing.objects.update_or_create(n=1)",
                                  "form.save(commit=False)", "audit_record(actor=None, action='x')",
                                  "accounts.services.audit_record(actor=None)"])
def test_a_write_in_a_view_module_is_reported_with_its_line(project, call):
    source = f"def view(request):\n    {call}\n"
    assert codes(source, "app/views.py", project) == [(2, "HR001")]
    assert codes(source, "app/views/pages.py", project) == [(2, "HR001")]


def test_the_same_writes_outside_a_view_module_are_allowed(project):
    source = "def thing_create(*, n):\n    Thing.objects.create(n=n)\n    audit_record(actor=None, action='x')\n"
    assert codes(source, "app/services/things.py", project) == []
    assert codes(source, "app/reviews.py", project) == []


def test_updating_a_dict_the_view_built_is_no_write(project):
    source = """
        def view(request):
            context: dict = {"a": 1}
            context.update(b=2)
            extra = dict(c=3)
            extra.update(d=4)
            return context | extra
    """
    assert codes(source, "app/views.py", project) == []


def test_a_dict_of_another_function_does_not_excuse_an_update(project):
    source = """
        def helper():
            rows = {}
            return rows

        def view(request, rows):
            rows.update(n=1)
    """
    assert codes(source, "app/views.py", project) == [(7, "HR001")]


def test_reading_and_unrelated_calls_in_a_view_are_allowed(project):
    source = """
        def view(request):
            things = Thing.objects.filter(n=1).exclude(m=2)
            messages.success(request, "ok")
            return render(request, "x.html", {"things": things, "saved": thing_save(thing=things[0])})
    """
    assert codes(source, "app/views.py", project) == []


# --- HR002: private names stay private -----------------------------------------------------------------------

def test_importing_a_private_name_from_another_module_is_reported(project):
    assert codes("from app.helpers import _hidden, visible\n", "app/other.py", project) == [(1, "HR002")]
    assert codes("from .helpers import _hidden\n", "app/other.py", project) == [(1, "HR002")]


def test_a_private_attribute_of_an_imported_module_is_reported(project):
    source = """
        import app.helpers
        from app import helpers
        from app.services import things as svc
        import app.services.things as things

        helpers._hidden()
        svc._step()
        things._step()
        app.helpers._hidden()
    """
    assert codes(source, "app/other.py", project) == [(7, "HR002"), (8, "HR002"), (9, "HR002"), (10, "HR002")]


def test_private_names_of_classes_objects_and_ones_own_module_are_allowed(project):
    source = """
        from __future__ import annotations

        from app import helpers
        from app.helpers import __version__
        from app.models import Thing

        def _local():
            return Thing._meta, helpers.Model._meta, helpers.public, self_like._cache

        _local()
    """
    assert codes(source, "app/other.py", project) == []


def test_a_package_init_may_reexport_its_own_private_names(project):
    assert codes("from .things import _step\nfrom app.services.things import _step\n", "app/services/__init__.py",
                 project) == []
    assert codes("from app.helpers import _hidden\n", "app/services/__init__.py", project) == [(1, "HR002")]


def test_tests_migrations_and_the_standard_library_are_exempt(project):
    source = "import os\nfrom app.helpers import _hidden\nos._exit(1)\n"
    assert codes(source, "tests/test_app.py", project) == []
    assert codes(source, "app/migrations/0002_data.py", project) == []
    assert codes("import os\nimport sys\nos._exit(1)\nsys._getframe()\n", "app/other.py", project) == []


# --- the command ---------------------------------------------------------------------------------------------

def test_the_command_prints_file_line_messages_and_fails(tmp_path):
    (tmp_path / "views.py").write_text("def view(request):\n    request.user.save()\n")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "house_rules.py"), str(tmp_path / "views.py")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stdout.strip().endswith("views.py:2:5: HR001 .save() in a view: move the write into a service")

