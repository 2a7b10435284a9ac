from django.utils.functional import SimpleLazyObject

from consultation.models import ConsultationIndexPage


def _consultations_url():
    index = ConsultationIndexPage.objects.live().first()
    return index.url if index else "/"


def consultation_links(request):
    """The way in to consultations, for the site's header; looked up only if a template uses it."""
    return {"consultations_url": SimpleLazyObject(_consultations_url)}
