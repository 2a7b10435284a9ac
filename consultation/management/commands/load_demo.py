from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from consultation.demo import build, builder, comments, groups, proposals, reactions, versions
from consultation.demo.content import PASSWORD
from consultation.models import ConsultationPage

# Run in this order, each taking the Demo built so far. A feature adds its own
# step (a function in consultation/demo/<feature>.py) at the end of the list.
STEPS = [
    *builder.FOUNDATION_STEPS,
    groups.build_groups,
    builder.open_working_group_review,
    # v1 before the comments and reactions steps, so they are made on v1; v2
    # after the comments (it responds to them) and before any reactions (a new
    # version starts fresh tallies, and the demo should show live ones).
    versions.publish_first_version,
    comments.add_demo_comments,
    versions.publish_revised_version,
    # After v2: proposals and their reactions are made on the current version.
    proposals.build_proposals,
    # After v2 as well, so the tallies are live ones.
    reactions.add_demo_reactions,
]


def refusal():
    """Why demo data may not be loaded here, or None when it may.

    The demo accounts share a published password, so loading them anywhere
    real would open the site to anyone who has read the README."""
    module = getattr(settings, "SETTINGS_MODULE", "") or ""
    if module.endswith("production"):
        return f"load_demo refuses to run under production settings ({module})."
    if not getattr(settings, "DEMO_DATA_ALLOWED", False):
        return (
            f"load_demo refuses to run: the settings in use ({module or 'unknown'}) do not set "
            "DEMO_DATA_ALLOWED = True. Only the development and test settings allow demo data."
        )
    return None


class Command(BaseCommand):
    help = (
        "Load the demo consultation (working-group review stage), its working groups and demo "
        f"accounts (password {PASSWORD!r}). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only when the database has no consultation yet (used by `make run`).",
        )

    def handle(self, *args, **options):
        reason = refusal()
        if reason:
            raise CommandError(reason + " Demo accounts have a published password.")
        if options["if_empty"] and ConsultationPage.objects.exists():
            self.stdout.write("A consultation already exists: demo data not loaded.")
            return

        demo = build(STEPS)
        if demo.created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {len(demo.created)} things created."))
            if options["verbosity"] > 1:
                for what in demo.created:
                    self.stdout.write(f"  {what}")
        else:
            self.stdout.write("Demo data already present: nothing changed.")
        self.stdout.write(
            f"Sign in with editor, moderator, public or a working-group account "
            f"(costs-convenor, costs-member1, ...); password {PASSWORD}."
        )
