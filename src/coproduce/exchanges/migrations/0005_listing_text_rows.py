"""Models for the rows of SQLite's full-text tables (0003), so a search joins them; no
database change (they are not managed by Django)."""

import django.db.models.deletion
from django.db import migrations, models

import coproduce.exchanges.models


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0004_pairings"),
    ]

    operations = [
        migrations.CreateModel(
            name="OfferText",
            fields=[
                (
                    "listing",
                    models.OneToOneField(
                        db_column="rowid",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="text_row",
                        serialize=False,
                        to="exchanges.offer",
                    ),
                ),
                (
                    "document",
                    coproduce.exchanges.models.SearchDocumentField(db_column="exchanges_offer_fts"),
                ),
            ],
            options={
                "db_table": "exchanges_offer_fts",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="RequestText",
            fields=[
                (
                    "listing",
                    models.OneToOneField(
                        db_column="rowid",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="text_row",
                        serialize=False,
                        to="exchanges.request",
                    ),
                ),
                (
                    "document",
                    coproduce.exchanges.models.SearchDocumentField(
                        db_column="exchanges_request_fts"
                    ),
                ),
            ],
            options={
                "db_table": "exchanges_request_fts",
                "managed": False,
            },
        ),
    ]
