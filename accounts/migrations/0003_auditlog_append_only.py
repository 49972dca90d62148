"""The database itself refuses UPDATE and DELETE on the audit log (a trigger on SQLite and PostgreSQL).

The statements are frozen here as accounts/db.py wrote them when this migration was made, so the migration keeps
meaning what it meant when that module moves or changes.
"""

from django.db import migrations

AUDIT_TABLE = "accounts_auditlog"

SQLITE_CREATE = [
    f"""CREATE TRIGGER IF NOT EXISTS auditlog_no_update BEFORE UPDATE ON {AUDIT_TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS auditlog_no_delete BEFORE DELETE ON {AUDIT_TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS auditlog_no_update", "DROP TRIGGER IF EXISTS auditlog_no_delete"]

POSTGRESQL_CREATE = [
    """CREATE OR REPLACE FUNCTION auditlog_refuse_change() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER auditlog_no_update_delete BEFORE UPDATE OR DELETE ON {AUDIT_TABLE}
        FOR EACH ROW EXECUTE FUNCTION auditlog_refuse_change()""",
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS auditlog_no_update_delete ON {AUDIT_TABLE}",
    "DROP FUNCTION IF EXISTS auditlog_refuse_change()",
]


def statements(vendor: str, *, create: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRESQL_CREATE if create else POSTGRESQL_DROP
    raise NotImplementedError(f"No append-only guard for {vendor}")


def create(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, create=True):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, create=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_reference_data")]
    operations = [migrations.RunPython(create, drop)]
