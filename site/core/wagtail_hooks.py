"""Wagtail admin set-up that belongs to the site, not to one app."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_global_admin_js")
def date_choosers_without_inline_scripts():
    """Starts the date pickers our widget templates render as data attributes (no inline script)."""
    return format_html('<script src="{}"></script>', static("js/admin-date-choosers.js"))


@hooks.register("insert_global_admin_css")
def admin_css():
    """The site's few admin style fixes, as a stylesheet (the admin's CSP allows no inline styles)."""
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))
