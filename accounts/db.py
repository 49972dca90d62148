"""Database-level guards that the ORM cannot express: the audit log is append-only."""

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
