"""Wagtail admin wiring of the background jobs views (jobs/admin.py)."""

from django.urls import include, path
from wagtail import hooks

from jobs import admin


@hooks.register("register_admin_urls")
def register_jobs_urls():
    return [path("jobs/", include((admin.urlpatterns, "jobs_admin"), namespace="jobs_admin"))]


@hooks.register("register_admin_menu_item")
def register_jobs_menu_item():
    return admin.menu_item()
