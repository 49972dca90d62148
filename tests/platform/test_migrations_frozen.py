"""Migrations are frozen: they import only Django, the standard library and their own migrations package, so a
migration keeps meaning what it meant when application code moves or changes. SQL, data and helper functions a
migration needs are copied into it; models come from ``apps.get_model``."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# References the autodetector writes into a migration and compares by identity, so a copy would read as a change
# (AlterModelManagers, AlterField): they must stay importable at these paths. None touches the schema; if one
# moves, point its migration at the new path.
SERIALISED_REFERENCES = {
    "accounts/migrations/0001_initial.py": {"accounts.models.PeopleManager"},
    "exams/migrations/0006_marking.py": {"exams.marking.models.scan_path"},
    "exams/migrations/0013_verbose_names.py": {"exams.marking.models.scan_path"},  # the scan field, named
    "courses/migrations/0005_learning_online.py": {"courses.models.learning.lesson_upload_path",
                                                   "courses.models.written.submission_path"},
    "accounts/migrations/0009_qualifications.py": {"accounts.models.qualifications.scan_upload_path"},
    "courses/migrations/0006_certificates.py": {"courses.models.certificates.certificate_file_path"},
}
DYNAMIC_IMPORTS = {"import_module", "import_string", "__import__"}


def _migration_files() -> list[Path]:
    return sorted(path for path in ROOT.glob("*/migrations/*.py") if path.name != "__init__.py")


def _is_allowed(module: str, app: str) -> bool:
    top = module.partition(".")[0]
    return top == "django" or top in sys.stdlib_module_names or module.startswith(f"{app}.migrations")


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _violations(path: Path, root: Path = ROOT) -> tuple[list[str], set[str]]:
    """(what the migration must not do, the serialised references it uses)."""
    relative = path.relative_to(root).as_posix()
    app = relative.partition("/")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
    allowed = SERIALISED_REFERENCES.get(relative, set())
    outside, used, problems = set(), set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [] if node.level == 1 else [node.module or ""]
        elif isinstance(node, ast.Call) and (_dotted(node.func) or "").rpartition(".")[2] in DYNAMIC_IMPORTS:
            problems.append((node.lineno, "imports dynamically"))
            continue
        else:
            continue
        for module in modules:
            if _is_allowed(module, app):
                continue
            if isinstance(node, ast.Import) and any(ref.startswith(f"{module}.") for ref in allowed):
                outside.add(module)
            else:
                problems.append((node.lineno, f"imports {module or '..'}"))
    for node in ast.walk(tree):
        name = _dotted(node) if isinstance(node, ast.Attribute) else None
        if name and any(name.startswith(f"{module}.") for module in outside):
            if name in allowed:
                used.add(name)
            elif not any(ref.startswith(f"{name}.") for ref in allowed):
                problems.append((node.lineno, f"uses {name}"))
    return [f"{relative}:{line} {what}" for line, what in sorted(problems)], used


def test_the_check_sees_every_app_with_migrations():
    apps = {path.relative_to(ROOT).parts[0] for path in _migration_files()}
    assert {"accounts", "exams"} <= apps


def test_no_migration_imports_application_code():
    problems = [problem for path in _migration_files() for problem in _violations(path)[0]]
    assert problems == []


def test_every_serialised_reference_is_still_used():
    """The allowance shrinks with the code: an entry nobody needs any more fails here."""
    used = {path.relative_to(ROOT).as_posix(): _violations(path)[1] for path in _migration_files()}
    assert {relative: used.get(relative) for relative in SERIALISED_REFERENCES} == SERIALISED_REFERENCES


def test_the_check_catches_an_import_of_application_code(tmp_path):
    migration = tmp_path / "exams" / "migrations" / "0099_example.py"
    migration.parent.mkdir(parents=True)
    migration.write_text(
        "import hashlib\nfrom django.db import migrations\nfrom . import _helpers\n"
        "def forwards(apps, schema_editor):\n    from accounts.vietnamese import normalize_name\n"
        "    import exams.models\n    importlib.import_module('exams.common.db')\n",
        encoding="utf-8",
    )
    problems, _used = _violations(migration, tmp_path)
    assert problems == [
        "exams/migrations/0099_example.py:5 imports accounts.vietnamese",
        "exams/migrations/0099_example.py:6 imports exams.models",
        "exams/migrations/0099_example.py:7 imports dynamically",
    ]
