"""A bank is opened to training courses by its authors (issue 19): until then a course's test draws nothing from it,
so the exam questions it holds stay secret. Every existing bank stays closed."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("exams", "0013_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="bank",
            name="for_training",
            field=models.BooleanField(default=False, verbose_name="open to training courses"),
        ),
    ]
