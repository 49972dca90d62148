"""The database itself refuses UPDATE and DELETE on the audit log (a trigger on SQLite and PostgreSQL)."""

from django.db import migrations

from accounts.db import statements


def create(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, create=True):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, create=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_reference_data")]
    operations = [migrations.RunPython(create, drop)]
