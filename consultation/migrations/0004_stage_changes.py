import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

STAGES = [
    ("drafting", "Drafting"),
    ("review", "Working-group review"),
    ("signoff", "Sign-off"),
    ("scrutiny", "Public scrutiny"),
    ("final", "Final"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("consultation", "0003_reactions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StageChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("from_stage", models.CharField(choices=STAGES, max_length=20)),
                ("to_stage", models.CharField(choices=STAGES, max_length=20)),
                ("actor_name", models.CharField(blank=True, max_length=200)),
                ("reason", models.TextField(blank=True)),
                ("override", models.BooleanField(default=False)),
                ("missing_signoffs", models.JSONField(blank=True, default=list)),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="stage_changes",
                        to="consultation.consultationpage",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "get_latest_by": "created_at",
            },
        ),
    ]
