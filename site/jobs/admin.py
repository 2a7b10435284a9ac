"""Background jobs in the Wagtail admin: what ran, what failed and why, and a retry button.

Registered by wagtail_hooks.py; every view asks the rule `jobs.manage_jobs`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from wagtail.admin.menu import MenuItem

from core.converters import ID_PATTERN  # noqa: F401  (registers <id:...>)
from jobs.models import Job
from jobs.services import job_retry

PER_PAGE = 50


def _require(request):
    if not request.user.has_perm("jobs.manage_jobs"):
        raise PermissionDenied("Only editors can see background jobs.")


def job_list(request):
    _require(request)
    status = request.GET.get("status", "")
    jobs = Job.objects.all()
    if status in Job.Status.values:
        jobs = jobs.filter(status=status)
    else:
        status = ""
    page = Paginator(jobs, PER_PAGE).get_page(request.GET.get("p"))
    return render(
        request,
        "jobs/admin/job_list.html",
        {
            "page_obj": page,
            "jobs": page.object_list,
            "status": status,
            "statuses": Job.Status.choices,
            "page_title": "Background jobs",
            "header_icon": "cogs",
        },
    )


def job_detail(request, job_id):
    _require(request)
    job = get_object_or_404(Job, pk=job_id)
    return render(
        request,
        "jobs/admin/job_detail.html",
        {"job": job, "page_title": f"Job {job.pk}: {job}", "header_icon": "cogs"},
    )


@require_POST
def job_retry_view(request, job_id):
    _require(request)
    job = get_object_or_404(Job, pk=job_id)
    try:
        job_retry(job=job, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Job {job.pk} is queued to run again.")
    return redirect("jobs_admin:detail", job_id=job.pk)


urlpatterns = [
    path("", job_list, name="list"),
    path("<id:job_id>/", job_detail, name="detail"),
    path("<id:job_id>/retry/", job_retry_view, name="retry"),
]


class JobsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("jobs.manage_jobs")


def menu_item():
    return JobsMenuItem("Background jobs", reverse("jobs_admin:list"), icon_name="cogs", order=900)
