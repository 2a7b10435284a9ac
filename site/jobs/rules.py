"""Who sees and retries background jobs: superusers and editors who may publish pages.

Jobs carry email subjects and, until sent, addresses, across every consultation:
a page publisher anywhere is trusted with the site's operations, a moderator is not.
"""

import rules
from wagtail.models import GroupPagePermission


@rules.predicate
def publishes_pages(user):
    if not user.is_authenticated or not user.is_active:
        return False
    return GroupPagePermission.objects.filter(group__user=user, permission__codename="publish_page").exists()


rules.add_perm("jobs.manage_jobs", rules.is_active & (rules.is_superuser | publishes_pages))
