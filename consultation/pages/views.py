from django.shortcuts import get_object_or_404, redirect

from consultation.models import SectionPage


def section_permalink(request, section_id):
    """A section's permanent address: its page id, whatever its slug or position."""
    section = get_object_or_404(SectionPage.objects.live(), pk=section_id)
    return redirect(section.url)
