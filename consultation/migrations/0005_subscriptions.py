import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import consultation.models.subscriptions


class Migration(migrations.Migration):

    dependencies = [
        ("consultation", "0004_stage_changes"),
    ]

    operations = [
        migrations.CreateModel(
            name="Subscription",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email", models.EmailField(max_length=254)),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Waiting for confirmation"), ("confirmed", "Confirmed")],
                        default="pending",
                        max_length=20,
                    ),
                ),
                (
                    "nonce",
                    models.CharField(
                        default=consultation.models.subscriptions.new_nonce, editable=False, max_length=40
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                ("last_prompted_at", models.DateTimeField(blank=True, null=True)),
                ("prompts_sent", models.PositiveSmallIntegerField(default=0)),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subscriptions",
                        to="consultation.consultationpage",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["consultation", "status"], name="subscription_status")],
                "constraints": [
                    models.UniqueConstraint(fields=("consultation", "email"), name="one_subscription_per_address")
                ],
            },
        ),
    ]
