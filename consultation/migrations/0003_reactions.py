import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("consultation", "0002_comments"),
        ("workinggroups", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Reaction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "target_kind",
                    models.CharField(
                        choices=[("section", "Section"), ("comment", "Comment"), ("proposal", "Proposed wording")],
                        max_length=20,
                    ),
                ),
                ("target_id", models.PositiveBigIntegerField()),
                (
                    "choice",
                    models.CharField(
                        choices=[("agree", "Agree"), ("disagree", "Disagree"), ("neutral", "Neutral")], max_length=10
                    ),
                ),
                (
                    "is_member",
                    models.BooleanField(
                        default=False,
                        help_text="Reacted as a member of an invited working group rather than as the public.",
                    ),
                ),
                ("paper_version", models.CharField(help_text="The paper's version label when reacting.", max_length=40)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "paper",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reactions",
                        to="consultation.policypaperpage",
                    ),
                ),
                (
                    "section",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reactions",
                        to="consultation.sectionpage",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reactions",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "working_group",
                    models.ForeignKey(
                        blank=True,
                        help_text="The invited group the person took part for when reacting; empty for the public.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="workinggroups.workinggroup",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["paper", "target_kind", "target_id"], name="reaction_paper_target")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "target_kind", "target_id"), name="one_reaction_per_person_per_target"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("choice", "neutral"), ("target_kind", "comment"), _negated=True),
                        name="comment_reactions_are_agree_or_disagree",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("choice__in", ["agree", "disagree", "neutral"])),
                        name="reaction_choice_is_known",
                    ),
                ],
            },
        ),
    ]
