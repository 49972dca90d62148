"""House rules that ruff does not know, held by a linter instead of by memory (run by ``make lint``).

HR001  A view writes nothing. In a module named ``views.py`` or inside a ``views/`` package, no call of
       ``.save()``, ``.delete()``, ``.update()``, ``.create()``, ``.bulk_create()``, ``.get_or_create()`` or
       ``.update_or_create()`` on anything, and no ``audit_record(...)``: the write and its audit record belong
       to a service (``<app>/services.py`` or ``<app>/services/<domain>.py``). The one exception is ``.update()``
       on a name the same function bound to a dict display (``context = {...}``): that merges a dict, it writes
       nothing.
HR002  Private names stay private. No ``from x import _y`` and no ``x._y`` on a name bound to an imported module,
       except a package's ``__init__`` re-exporting from inside the package. Tests and migrations are exempt, and
       so is the standard library, whose few underscored names are documented API (``os._exit``).

Usage: ``python tools/house_rules.py [PATH ...]`` (default: the whole project). Prints ``file:line:col: CODE
message`` for each breach and exits 1 when there is one.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "venv", "node_modules", "staticfiles", "media", "private_uploads", "artifacts", "__pycache__"}
EXEMPT_FROM_PRIVACY = {"tests", "migrations"}
WRITE_METHODS = {"save", "delete", "update", "create", "bulk_create", "get_or_create", "update_or_create"}
AUDIT_FUNCTION = "audit_record"


@dataclass(frozen=True)
class Breach:
    path: str
    line: int
    col: int
    code: str
    message: str

    def __str__(self) -> str:  # columns count from 1, as ruff and editors count them
        return f"{self.path}:{self.line}:{self.col + 1}: {self.code} {self.message}"


def is_view_module(path: Path) -> bool:
    return path.name == "views.py" or "views" in path.parent.parts


def is_exempt_from_privacy(path: Path) -> bool:
    return bool(EXEMPT_FROM_PRIVACY & set(path.parts))


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# --- HR001: views write nothing ---------------------------------------------------------------------------------

def _binds_dict(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Dict | ast.DictComp) or (
        isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict")


def _dict_names(scope: ast.AST) -> set[str]:
    """Names that ``scope`` binds to a dict display (``x = {...}``, ``x: dict = dict(...)``)."""
    names = set()
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and _binds_dict(node.value):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and _binds_dict(node.value):
            names.add(node.target.id)
    return names


def view_writes(tree: ast.Module, path: str) -> Iterator[Breach]:
    scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]
    dicts_in = {}  # every call, with the dict names of its innermost enclosing scope
    for scope in scopes:  # outer scopes first: an inner function's names replace its parent's for its own calls
        names = _dict_names(scope)
        for node in ast.walk(scope):
            if isinstance(node, ast.Call):
                dicts_in[node] = names
    for call, dict_names in dicts_in.items():
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS:
            if func.attr == "update" and isinstance(func.value, ast.Name) and func.value.id in dict_names:
                continue
            yield Breach(path, call.lineno, call.col_offset, "HR001",
                         f".{func.attr}() in a view: move the write into a service")
        elif AUDIT_FUNCTION in (getattr(func, "id", None), getattr(func, "attr", None)):
            yield Breach(path, call.lineno, call.col_offset, "HR001",
                         f"{AUDIT_FUNCTION}() in a view: the service that writes records it")


# --- HR002: private names stay private --------------------------------------------------------------------------

def _module_name(path: Path, root: Path) -> str:
    """The dotted name of ``path`` relative to ``root`` (``exams/services/__init__.py`` -> ``exams.services``)."""
    try:
        parts = list(path.resolve().relative_to(root).with_suffix("").parts)
    except ValueError:
        parts = list(path.with_suffix("").parts)
    return ".".join(parts[:-1] if parts and parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, package: str) -> str:
    """The module ``node`` imports from, relative imports resolved against ``package``."""
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if package else []
    return ".".join([*base, *([node.module] if node.module else [])])


def _is_module(dotted: str, roots: Iterable[Path]) -> bool:
    """Whether ``dotted`` names a module or package on disk (looked up, never imported)."""
    relative = Path(*dotted.split("."))
    return any((root / relative).with_suffix(".py").is_file() or (root / relative / "__init__.py").is_file()
               for root in roots)


def _dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None for anything but names and attributes."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else [*inner, node.attr]
    return None


def private_imports(tree: ast.Module, path: str, *, module: str, is_package: bool,
                    roots: Iterable[Path]) -> Iterator[Breach]:
    package = module if is_package else module.rpartition(".")[0]
    roots = list(roots)
    modules: dict[str, str] = {}  # a local name bound to an imported module -> that module's dotted name
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules[alias.asname] = alias.name
                else:
                    modules[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(node, package)
            inside_own_package = is_package and (source == package or source.startswith(package + "."))
            stdlib = source.split(".")[0] in sys.stdlib_module_names
            for alias in node.names:
                if _is_private(alias.name) and not (inside_own_package or stdlib):
                    yield Breach(path, node.lineno, node.col_offset, "HR002",
                                 f"imports the private name {alias.name} from {source}")
                elif alias.name != "*" and _is_module(f"{source}.{alias.name}", roots):
                    modules[alias.asname or alias.name] = f"{source}.{alias.name}"
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _is_private(node.attr)):
            continue
        owner = _dotted(node.value)
        if not owner or owner[0] not in modules or modules[owner[0]].split(".")[0] in sys.stdlib_module_names:
            continue
        full = ".".join([modules[owner[0]], *owner[1:]])
        if len(owner) == 1 or _is_module(full, roots):  # a module's private name, not a class's (Model._meta)
            yield Breach(path, node.lineno, node.col_offset, "HR002", f"uses the private name {node.attr} of {full}")


# --- running ----------------------------------------------------------------------------------------------------

def check_source(source: str, path: Path, *, root: Path = ROOT, roots: Iterable[Path] | None = None) -> list[Breach]:
    """Every breach in ``source``, read as the file ``path`` (relative to ``root``) of the project."""
    tree = ast.parse(source, filename=str(path))
    shown = str(path)
    breaches = list(view_writes(tree, shown)) if is_view_module(path) else []
    if not is_exempt_from_privacy(path):
        breaches += private_imports(tree, shown, module=_module_name(root / path, root),
                                    is_package=path.name == "__init__.py",
                                    roots=[root, *(Path(p) for p in sys.path if p)] if roots is None else roots)
    return sorted(breaches, key=lambda b: (b.line, b.col))


def python_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file() and path.suffix == ".py":
            yield path
        elif path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_dir() and (child.name in SKIPPED_DIRS or child.name.startswith(".")):
                    continue
                yield from python_files([child])


def main(argv: list[str]) -> int:
    targets = [Path(a).resolve() for a in argv] or [ROOT]
    breaches = []
    for file in python_files(targets):
        relative = file.relative_to(ROOT) if file.is_relative_to(ROOT) else file
        breaches += check_source(file.read_text(encoding="utf-8"), relative)
    for breach in breaches:
        print(breach)
    if breaches:
        print(f"{len(breaches)} house rule breach(es): see tools/house_rules.py", file=sys.stderr)
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
