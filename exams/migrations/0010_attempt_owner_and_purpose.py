"""The attempt becomes the engine's unit: it has an owner and a purpose, and only an exam attempt has a
registration, a sitting and a room session (issue 16). Every existing attempt is an exam attempt owned by its
registration's person; the owner is filled before it becomes required, so no attempt is lost or changed."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def owners_from_registrations(apps, schema_editor):
    Attempt = apps.get_model("exams", "Attempt")
    Registration = apps.get_model("exams", "Registration")
    person = Registration.objects.filter(pk=models.OuterRef("registration_id")).values("person_id")[:1]
    Attempt.objects.filter(owner__isnull=True).update(owner_id=models.Subquery(person))


class Migration(migrations.Migration):

    dependencies = [
        ("exams", "0009_question_dedup_key_with_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="owner",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="attempts",
                                    to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="attempt",
            name="purpose",
            field=models.CharField(default="exam", max_length=32, verbose_name="purpose"),
        ),
        migrations.RunPython(owners_from_registrations, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attempt",
            name="owner",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="attempts",
                                    to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="paperset",
            name="hosted_for",
            field=models.CharField(blank=True, max_length=32, null=True),
        ),
        migrations.AlterField(
            model_name="attempt",
            name="registration",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="attempts", to="exams.registration"),
        ),
        migrations.AlterField(
            model_name="attempt",
            name="room_session",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="attempts", to="exams.roomsession"),
        ),
        migrations.AlterField(
            model_name="attempt",
            name="sitting",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="attempts", to="exams.sitting"),
        ),
        migrations.AddConstraint(
            model_name="attempt",
            constraint=models.CheckConstraint(
                condition=(models.Q(purpose="exam", registration__isnull=False, sitting__isnull=False,
                                    room_session__isnull=False)
                           | (~models.Q(purpose="exam") & models.Q(registration__isnull=True, sitting__isnull=True,
                                                                   room_session__isnull=True))),
                name="attempt_exam_has_its_session"),
        ),
    ]
