from django.conf import settings
from django.utils.functional import SimpleLazyObject


def _consultations_url():
    from consultation.models import ConsultationIndexPage

    index = ConsultationIndexPage.objects.live().first()
    return index.url if index else "/"


def site(request):
    """Values every page template needs; the lookup runs only if a template uses it."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "consultations_url": SimpleLazyObject(_consultations_url),
    }
