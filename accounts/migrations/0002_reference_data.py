"""Reference data every command relies on: the 54 ethnic groups, ranks, a neutral organisation profile."""

from django.db import migrations

from accounts.reference import NEUTRAL_PROFILE, sync_reference_data


def forwards(apps, schema_editor):
    sync_reference_data(
        apps.get_model("accounts", "Ethnicity"),
        apps.get_model("accounts", "Rank"),
        apps.get_model("accounts", "OrganisationProfile"),
        NEUTRAL_PROFILE,
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
