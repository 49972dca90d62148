"""A sealed paper set cannot change: the database refuses inserts, updates and deletes under it."""

from django.db import migrations

from exams.db import statements


def create(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, create=True):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in statements(schema_editor.connection.vendor, create=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("exams", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
