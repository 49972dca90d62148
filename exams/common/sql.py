"""Quoted names for the few statements the exam-day hot paths write out by hand (the ORM compiles a statement
anew on every call; at the start spike that cost more than running it). Every name comes from the models, so a
renamed field or table renames the SQL too; every value stays a parameter."""

from __future__ import annotations

from django.db import connection
from django.db.models import Model


class Names:
    """``Names(Attempt).table``, ``Names(Attempt).pk``, ``Names(Attempt).registration`` (a field's column),
    each quoted for the current database."""

    def __init__(self, model: type[Model]):
        self._meta = model._meta

    @property
    def table(self) -> str:
        return connection.ops.quote_name(self._meta.db_table)

    @property
    def pk(self) -> str:
        return connection.ops.quote_name(self._meta.pk.column)

    def __getattr__(self, field: str) -> str:
        if field.startswith("_"):
            raise AttributeError(field)
        return connection.ops.quote_name(self._meta.get_field(field).column)

    def columns(self) -> str:
        """Every concrete column, in the model's order (what ``Model.objects.raw`` maps back to fields)."""
        return ", ".join(connection.ops.quote_name(field.column) for field in self._meta.concrete_fields)
