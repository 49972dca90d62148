"""A portable "only digits" lookup, so a CHECK constraint can say it on SQLite and PostgreSQL alike."""

from django.db.models import CharField, Lookup
from django.db.models.functions import Length

CharField.register_lookup(Length)


@CharField.register_lookup
class AllDigits(Lookup):
    """``field__all_digits=True``: the value is non-empty and made of ASCII digits only."""

    lookup_name = "all_digits"
    prepare_rhs = False

    def as_sql(self, compiler, connection):  # pragma: no cover - every supported vendor overrides
        raise NotImplementedError(f"all_digits is not implemented for {connection.vendor}")

    def as_sqlite(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"({lhs} <> '' AND {lhs} NOT GLOB '*[^0-9]*')", params

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"({lhs} ~ '^[0-9]+$')", params
