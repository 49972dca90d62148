"""The one import flow every spreadsheet import follows (docs/operations.md, "The import flow"), whatever it imports.

upload → check (the whole file, every problem listed by row and column, nothing written) → confirm → write (all
or nothing). Each import keeps its own parser, validator and writer behind one contract, the *runner*::

    run(data: bytes, *, dry_run: bool, file_name: str, **options) -> ImportResult

where ``options`` are the upload form's other fields (JSON values). The page (:class:`ImportFlow`) and the
management command (:func:`run_import_command`) both call it, and both read the one result type,
:class:`ImportResult`. accounts is the bottom app, so every app may use this module.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.management.base import BaseCommand
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.spreadsheets import Problem

# How a page says each count of a summary (``ImportResult.sentence``); an import that adds a count adds its words.
COUNT_WORDS: dict[str, Any] = {
    "created": gettext_lazy("%(n)s new rows"),
    "updated": gettext_lazy("%(n)s rows updated"),
    "unchanged": gettext_lazy("%(n)s rows unchanged"),
    "people_created": gettext_lazy("%(n)s people added to the register"),
    "withdrawn": gettext_lazy("%(n)s candidates withdrawn"),
}


@dataclass
class ImportResult:
    """What an import returns, from a check (``dry_run``) or a write.

    ``problems`` refuse the whole file: nothing is written while there is one. ``warnings`` do not. The counts say
    what the write does, or did; ``applied`` is true once it is written. An import with more to say (units or
    topics it creates, people it adds) extends this class with those fields and names the counts its summary
    shows in ``summary_fields``."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applied: bool = False

    summary_fields: ClassVar[tuple[str, ...]] = ("created", "updated", "unchanged")

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def sentence(self) -> str:
        """The summary as a page says it, in a sentence: what confirming will write, or what was written."""
        parts = ", ".join(str(COUNT_WORDS.get(name, name)) % {"n": getattr(self, name)}
                          for name in self.summary_fields if getattr(self, name) or name == "created")
        if self.applied:
            return _("Written: %(parts)s.") % {"parts": parts}
        return _("The file has no error. Confirming writes: %(parts)s.") % {"parts": parts}

    @property
    def summary(self) -> str:
        """``created=2 updated=0 unchanged=1``: the commands' last line, and the count line of some pages."""
        return " ".join(f"{name}={getattr(self, name)}" for name in self.summary_fields)

    def sort_problems(self, columns: Sequence[str]) -> None:
        """Problems and warnings in file order: by row (the file's own first), then by the column's place in
        ``columns``."""
        order = {column: n for n, column in enumerate(columns)}

        def position(problem: Problem) -> tuple[int, int]:
            return problem.row or 0, order.get(problem.column, -1)

        self.problems.sort(key=position)
        self.warnings.sort(key=position)

    def refuse(self, problem: Problem) -> None:
        """A problem found at the moment of writing (the exam moved on while the file was checked): nothing is
        written, so nothing counts."""
        self.problems.append(problem)
        for name in self.summary_fields:
            setattr(self, name, 0)


class Runner(Protocol):
    def __call__(self, data: bytes, *, dry_run: bool, file_name: str, **options: Any) -> ImportResult: ...


# --- The page ---------------------------------------------------------------------------------------------------

STASH_FOLDER = "imports"


def _stash_path(token: str) -> Path:
    return settings.PRIVATE_UPLOAD_ROOT / STASH_FOLDER / f"{token}.bin"


@dataclass
class ImportPage:
    """What the flow leaves the view: a ``response`` to return as it is (the confirmed file was written, or the
    confirmation was refused), else the ``context`` to render: ``form``; after a check ``result`` and
    ``file_name``; ``token`` when the file passed and may be confirmed."""

    context: dict[str, Any] = field(default_factory=dict)
    response: HttpResponse | None = None


@dataclass(frozen=True)
class ImportFlow:
    """One import's page. A file that passes its check waits server-side under a random token, remembered in the
    session with the user and the page's ``scope`` (the exam, the bank); the confirmation must bring that token
    back on the same page, and runs the import again for real, so the file is checked again against the database
    as it is by then. A stale or foreign token writes nothing and sends the user back to upload the file again.

    ``session_key`` keeps each import's pending file apart (two tabs, two imports); ``form_class`` is the upload
    form: a ``file`` field checked for size and type, and the import's options."""

    session_key: str
    form_class: type[forms.Form]
    # Check boxes of the confirmation itself (true when ticked), decided after the check has shown what they touch:
    # the candidate import's "withdraw those the file leaves out".
    confirm_fields: tuple[str, ...] = ()

    def handle(self, request: HttpRequest, *, run: Runner, on_written: Callable[[ImportResult], HttpResponse],
               scope: int | None = None) -> ImportPage:
        """GET: the empty form. POST ``action=confirm``: write the pending file (``on_written`` reports it and
        answers). Any other POST: check the uploaded file."""
        if request.method != "POST":
            return ImportPage({"form": self.form_class()})
        if request.POST.get("action") == "confirm":
            return self._confirm(request, run=run, on_written=on_written, scope=scope)
        return self._check(request, run=run, scope=scope)

    def _check(self, request: HttpRequest, *, run: Runner, scope: int | None) -> ImportPage:
        form = self.form_class(request.POST, request.FILES)
        page = ImportPage({"form": form})
        if not form.is_valid():
            return page
        upload = form.cleaned_data["file"]
        options = {name: value for name, value in form.cleaned_data.items() if name != "file"}
        data = upload.read()
        result = run(data, dry_run=True, file_name=upload.name, **options)
        page.context.update(result=result, file_name=upload.name)
        if result.ok:
            page.context["token"] = self._stash(request, data=data, file_name=upload.name, options=options,
                                                scope=scope)
        return page

    def _stash(self, request: HttpRequest, *, data: bytes, file_name: str, options: dict[str, Any],
               scope: int | None) -> str:
        previous = self._pending(request).get("token")
        if previous:  # the newer check replaces it
            _stash_path(previous).unlink(missing_ok=True)
        token = secrets.token_hex(16)
        path = _stash_path(token)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        request.session[self.session_key] = {"token": token, "user": request.user.pk, "scope": scope,
                                             "name": file_name, "options": options}
        return token

    def _pending(self, request: HttpRequest) -> dict[str, Any]:
        pending = request.session.get(self.session_key)
        return pending if isinstance(pending, dict) else {}

    def _confirm(self, request: HttpRequest, *, run: Runner, on_written: Callable[[ImportResult], HttpResponse],
                 scope: int | None) -> ImportPage:
        pending = self._pending(request)
        token = pending.get("token")
        if not (token and token == request.POST.get("token") and pending.get("user") == request.user.pk
                and pending.get("scope") == scope and "options" in pending and _stash_path(token).is_file()):
            messages.error(request, _("This import has expired; upload the file again."))
            return ImportPage(response=HttpResponseRedirect(request.path))
        path = _stash_path(token)
        options = {**pending["options"], **{name: request.POST.get(name) == "on" for name in self.confirm_fields}}
        result = run(path.read_bytes(), dry_run=False, file_name=pending["name"], **options)
        if not result.ok:
            return ImportPage({"form": self.form_class(), "result": result, "file_name": pending["name"]})
        path.unlink(missing_ok=True)
        del request.session[self.session_key]
        return ImportPage(response=on_written(result))


# --- The command ------------------------------------------------------------------------------------------------

def run_import_command(command: BaseCommand, *, file: str, run: Runner, dry_run: bool,
                       **options: Any) -> ImportResult:
    """The flow as a management command runs it (docs/operations.md, "Commands"): the file read, every problem and warning on
    stderr, exit 1 when the file is missing or any problem refused it. The caller prints its summary."""
    path = Path(file)
    if not path.is_file():
        command.stderr.write(_("File: {message}").format(message=_("the file {path} does not exist.").format(path=file)))
        raise SystemExit(1)
    result = run(path.read_bytes(), dry_run=dry_run, file_name=path.name, **options)
    for problem in [*result.problems, *result.warnings]:
        command.stderr.write(str(problem))
    if result.problems:
        raise SystemExit(1)
    return result
