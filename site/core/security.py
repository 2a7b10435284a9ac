"""Security headers: the Content-Security-Policy, with Wagtail's admin allowances.

The public site's policy (settings.CONTENT_SECURITY_POLICY) allows scripts,
styles and connections from the site itself only: no inline scripts, no
`unsafe-inline`, no `eval`. Wagtail's admin, which the policy team uses, sets
style attributes and previews images from `blob:` URLs; its pages alone get
settings.ADMIN_CSP_UPDATE on top. Scripts stay `'self'` there too.
"""

from functools import cached_property

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings
from django.urls import reverse


class CSPMiddleware(BaseCSPMiddleware):
    @cached_property
    def admin_prefix(self):
        return reverse("wagtailadmin_home")

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.update is None and request.path_info.startswith(self.admin_prefix):
            parts.update = settings.ADMIN_CSP_UPDATE
        return parts
