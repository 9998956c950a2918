"""Safeguarding: the time bank's check rules, safeguarding pauses, incidents and check reminders."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import coproduce.community.models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0005_contact_visibility_and_erasure"),
    ]

    operations = [
        migrations.AddField(
            model_name="timebank",
            name="checks_needed",
            field=models.JSONField(
                blank=True,
                default=coproduce.community.models.default_checks_needed,
                verbose_name="checks needed for kinds of help",
            ),
        ),
        migrations.CreateModel(
            name="Incident",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("occurred_on", models.DateField(verbose_name="when it happened")),
                ("what_happened", models.TextField(verbose_name="what happened")),
                ("people_involved", models.TextField(blank=True, verbose_name="people involved")),
                ("action_taken", models.TextField(blank=True, verbose_name="action taken")),
                (
                    "follow_up_on",
                    models.DateField(blank=True, null=True, verbose_name="follow up by"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("closed", "Closed")],
                        default="open",
                        max_length=8,
                    ),
                ),
                ("recorded_at", models.DateTimeField()),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                ("outcome", models.TextField(blank=True, verbose_name="outcome")),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "timebank",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="community.timebank",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="IncidentFollowUp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("note", models.TextField(verbose_name="what was done")),
                (
                    "next_follow_up_on",
                    models.DateField(blank=True, null=True, verbose_name="next follow-up by"),
                ),
                ("written_at", models.DateTimeField()),
                (
                    "incident",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="follow_ups",
                        to="community.incident",
                    ),
                ),
                (
                    "written_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SafeguardingPause",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reason", models.TextField(verbose_name="reason (seen by coordinators only)")),
                ("started_at", models.DateTimeField()),
                ("ended_at", models.DateTimeField(blank=True, null=True)),
                ("end_note", models.TextField(blank=True, verbose_name="why the pause ends")),
                (
                    "ended_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="safeguarding_pauses",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "started_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "timebank",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="community.timebank",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="CheckReminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "threshold",
                    models.CharField(
                        choices=[
                            ("30_days", "30 days before it expires"),
                            ("expired", "on the day it expires"),
                        ],
                        max_length=8,
                    ),
                ),
                ("sent_at", models.DateTimeField()),
                (
                    "check_record",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reminders",
                        to="community.safeguardingcheck",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("check_record", "threshold"),
                        name="one_reminder_per_check_threshold",
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                fields=["timebank", "person", "status"], name="community_i_timeban_a34aa5_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="safeguardingpause",
            index=models.Index(
                fields=["timebank", "ended_at", "person"], name="community_s_timeban_0e9673_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="safeguardingpause",
            constraint=models.UniqueConstraint(
                condition=models.Q(("ended_at__isnull", True)),
                fields=("timebank", "person"),
                name="one_open_safeguarding_pause",
            ),
        ),
    ]
