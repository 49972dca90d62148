"""A sealed paper set drawn for a hosted attempt (``hosted_for`` set, never "exam") may be deleted: a course's
practice papers are purged with their attempts after 30 days (exams.engine.attempts_purge, issue 19). Nothing else
changes: an exam's sealed set (``hosted_for`` NULL) is still never deleted, and no sealed set is ever updated, inserted
into or emptied item by item while it stays.

The statements are frozen here as exams/common/db.py wrote them when this migration was made (the guards before it
are 0002's), so the migration keeps meaning what it meant when that module moves or changes.
"""

from django.db import migrations

_SEALED_BY_PAPER = ("(SELECT ps.sealed_at FROM exams_paper p JOIN exams_paperset ps ON ps.id = p.paper_set_id "
                    "WHERE p.id = {ref}.paper_id) IS NOT NULL")
_SEALED_BY_SET = "(SELECT sealed_at FROM exams_paperset WHERE id = {ref}.paper_set_id) IS NOT NULL"
_KEPT_BY_PAPER = ("(SELECT ps.sealed_at IS NOT NULL AND COALESCE(ps.hosted_for, 'exam') = 'exam' FROM exams_paper p "
                  "JOIN exams_paperset ps ON ps.id = p.paper_set_id WHERE p.id = {ref}.paper_id)")
_KEPT_BY_SET = ("(SELECT sealed_at IS NOT NULL AND COALESCE(hosted_for, 'exam') = 'exam' FROM exams_paperset "
                "WHERE id = {ref}.paper_set_id)")

_SQLITE_BEFORE = [
    ("paperitem_sealed_delete", "DELETE", "exams_paperitem", _SEALED_BY_PAPER.format(ref="OLD")),
    ("paper_sealed_delete", "DELETE", "exams_paper", _SEALED_BY_SET.format(ref="OLD")),
    ("paperset_sealed_delete", "DELETE", "exams_paperset", "OLD.sealed_at IS NOT NULL"),
]
_SQLITE_AFTER = [
    ("paperitem_sealed_delete", "DELETE", "exams_paperitem", _KEPT_BY_PAPER.format(ref="OLD")),
    ("paper_sealed_delete", "DELETE", "exams_paper", _KEPT_BY_SET.format(ref="OLD")),
    ("paperset_sealed_delete", "DELETE", "exams_paperset",
     "OLD.sealed_at IS NOT NULL AND COALESCE(OLD.hosted_for, 'exam') = 'exam'"),
]


def _sqlite(guards):
    return [
        *(f"DROP TRIGGER IF EXISTS {name}" for name, *_rest in guards),
        *(f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table} WHEN {condition} "
          "BEGIN SELECT RAISE(ABORT, 'sealed paper set cannot change'); END"
          for name, event, table, condition in guards),
    ]


_POSTGRESQL_BEFORE = """CREATE OR REPLACE FUNCTION exams_refuse_sealed_change() RETURNS trigger AS $$
    DECLARE sealed timestamptz;
    BEGIN
      IF TG_TABLE_NAME = 'exams_paperset' THEN
        sealed := OLD.sealed_at;
      ELSIF TG_TABLE_NAME = 'exams_paper' THEN
        SELECT sealed_at INTO sealed FROM exams_paperset
          WHERE id = (CASE WHEN TG_OP = 'INSERT' THEN NEW.paper_set_id ELSE OLD.paper_set_id END);
      ELSE
        SELECT ps.sealed_at INTO sealed FROM exams_paper p JOIN exams_paperset ps ON ps.id = p.paper_set_id
          WHERE p.id = (CASE WHEN TG_OP = 'INSERT' THEN NEW.paper_id ELSE OLD.paper_id END);
      END IF;
      IF sealed IS NOT NULL THEN
        RAISE EXCEPTION 'sealed paper set cannot change';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql"""

_POSTGRESQL_AFTER = """CREATE OR REPLACE FUNCTION exams_refuse_sealed_change() RETURNS trigger AS $$
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
    END; $$ LANGUAGE plpgsql"""


def _statements(vendor: str, *, forwards: bool) -> list[str]:
    if vendor == "sqlite":
        return _sqlite(_SQLITE_AFTER if forwards else _SQLITE_BEFORE)
    if vendor == "postgresql":  # the triggers call the function by name: replacing it is enough
        return [_POSTGRESQL_AFTER if forwards else _POSTGRESQL_BEFORE]
    raise NotImplementedError(f"No sealed-paper guard for {vendor}")


def forwards(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor, forwards=True):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor, forwards=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("exams", "0014_bank_for_training")]
    operations = [migrations.RunPython(forwards, backwards)]
