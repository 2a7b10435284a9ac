from django.shortcuts import get_object_or_404, render

from .models import WorkingGroup


def group_list(request):
    groups = WorkingGroup.objects.all()
    return render(request, "workinggroups/group_list.html", {"groups": groups})


def group_detail(request, slug):
    group = get_object_or_404(WorkingGroup, slug=slug)
    memberships = group.memberships.current().select_related("user", "organisation")
    return render(request, "workinggroups/group_detail.html", {"group": group, "memberships": memberships})
