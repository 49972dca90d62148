"""Database guards: a sealed paper set cannot change (triggers on SQLite and PostgreSQL).

The one change a sealed set allows is its deletion when it was drawn for a hosted attempt (``hosted_for`` set, never
"exam": a course's practice paper, purged with its attempt by ``exams.engine.attempts_purge``). An exam's sealed set
(``hosted_for`` NULL) is never deleted, and no sealed set is ever updated, so none can be made to look hosted.
The migrations that install these statements (0002, 0015) hold frozen copies of them.
"""

_SEALED_BY_PAPER = ("(SELECT ps.sealed_at FROM exams_paper p JOIN exams_paperset ps ON ps.id = p.paper_set_id "
                    "WHERE p.id = {ref}.paper_id) IS NOT NULL")
_SEALED_BY_SET = "(SELECT sealed_at FROM exams_paperset WHERE id = {ref}.paper_set_id) IS NOT NULL"
# Deleting: refused under a sealed set, unless the set was drawn for a hosted attempt.
_KEPT_BY_PAPER = ("(SELECT ps.sealed_at IS NOT NULL AND COALESCE(ps.hosted_for, 'exam') = 'exam' FROM exams_paper p "
                  "JOIN exams_paperset ps ON ps.id = p.paper_set_id WHERE p.id = {ref}.paper_id)")
_KEPT_BY_SET = ("(SELECT sealed_at IS NOT NULL AND COALESCE(hosted_for, 'exam') = 'exam' FROM exams_paperset "
                "WHERE id = {ref}.paper_set_id)")

_SQLITE_GUARDS = [
    ("paperitem_sealed_insert", "INSERT", "exams_paperitem", _SEALED_BY_PAPER.format(ref="NEW")),
    ("paperitem_sealed_update", "UPDATE", "exams_paperitem", _SEALED_BY_PAPER.format(ref="OLD")),
    ("paperitem_sealed_delete", "DELETE", "exams_paperitem", _KEPT_BY_PAPER.format(ref="OLD")),
    ("paper_sealed_insert", "INSERT", "exams_paper", _SEALED_BY_SET.format(ref="NEW")),
    ("paper_sealed_update", "UPDATE", "exams_paper", _SEALED_BY_SET.format(ref="OLD")),
    ("paper_sealed_delete", "DELETE", "exams_paper", _KEPT_BY_SET.format(ref="OLD")),
    ("paperset_sealed_update", "UPDATE", "exams_paperset", "OLD.sealed_at IS NOT NULL"),
    ("paperset_sealed_delete", "DELETE", "exams_paperset",
     "OLD.sealed_at IS NOT NULL AND COALESCE(OLD.hosted_for, 'exam') = 'exam'"),
]

SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table} WHEN {condition} "
    "BEGIN SELECT RAISE(ABORT, 'sealed paper set cannot change'); END"
    for name, event, table, condition in _SQLITE_GUARDS
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name, *_rest in _SQLITE_GUARDS]

POSTGRESQL_CREATE = [
    """CREATE OR REPLACE FUNCTION exams_refuse_sealed_change() RETURNS trigger AS $$
    DECLARE sealed timestamptz; hosted varchar;
    BEGIN
      IF TG_TABLE_NAME = 'exams_paperset' THEN
        sealed := OLD.sealed_at;
        hosted := OLD.hosted_for;
      ELSIF TG_TABLE_NAME = 'exams_paper' THEN
        SELECT sealed_at, hosted_for INTO sealed, hosted FROM exams_paperset
          WHERE id = (CASE WHEN TG_OP = 'INSERT' THEN NEW.paper_set_id ELSE OLD.paper_set_id END);
      ELSE
        SELECT ps.sealed_at, ps.hosted_for INTO sealed, hosted FROM exams_paper p
          JOIN exams_paperset ps ON ps.id = p.paper_set_id
          WHERE p.id = (CASE WHEN TG_OP = 'INSERT' THEN NEW.paper_id ELSE OLD.paper_id END);
      END IF;
      IF sealed IS NOT NULL AND NOT (TG_OP = 'DELETE' AND COALESCE(hosted, 'exam') <> 'exam') THEN
        RAISE EXCEPTION 'sealed paper set cannot change';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER paperitem_sealed BEFORE INSERT OR UPDATE OR DELETE ON exams_paperitem
       FOR EACH ROW EXECUTE FUNCTION exams_refuse_sealed_change()""",
    """CREATE TRIGGER paper_sealed BEFORE INSERT OR UPDATE OR DELETE ON exams_paper
       FOR EACH ROW EXECUTE FUNCTION exams_refuse_sealed_change()""",
    """CREATE TRIGGER paperset_sealed BEFORE UPDATE OR DELETE ON exams_paperset
       FOR EACH ROW EXECUTE FUNCTION exams_refuse_sealed_change()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS paperitem_sealed ON exams_paperitem",
    "DROP TRIGGER IF EXISTS paper_sealed ON exams_paper",
    "DROP TRIGGER IF EXISTS paperset_sealed ON exams_paperset",
    "DROP FUNCTION IF EXISTS exams_refuse_sealed_change()",
]


def statements(vendor: str, *, create: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRESQL_CREATE if create else POSTGRESQL_DROP
    raise NotImplementedError(f"No sealed-paper guard for {vendor}")
