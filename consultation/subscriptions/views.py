"""Register your interest: sign up, confirm, unsubscribe. No sign-in needed.

Confirming and unsubscribing happen on a button press (POST), not on opening
the link: mail scanners open links in emails, and must neither confirm an
address someone else typed in nor unsubscribe anyone. Mail programs that
support RFC 8058 unsubscribe in one click by POSTing to the same address,
without a CSRF token, which is why that view is exempt: the signed token in
the address is the authority.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt

from consultation.models import ConsultationPage, Subscription
from consultation.subscriptions.forms import SubscriptionForm
from consultation.subscriptions.services import (
    CONFIRM_LINK_MAX_AGE,
    subscription_cancel,
    subscription_confirm,
    subscription_request,
)
from core.limits import TOO_MANY, limit_exceeded


def _consultation(consultation_id):
    return get_object_or_404(ConsultationPage.objects.live().public(), pk=consultation_id)


def register_interest(request, consultation_id):
    consultation = _consultation(consultation_id)
    if not request.user.has_perm("consultation.register_interest", consultation):
        return render(
            request, "consultation/subscriptions/closed.html", {"consultation": consultation}, status=403
        )
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and limit_exceeded(request, "register_interest_ip"):
        form.add_error(None, TOO_MANY)
        context = {"consultation": consultation, "form": form}
        return render(request, "consultation/subscriptions/register.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            subscription_request(consultation=consultation, email=form.cleaned_data["email"])
        except ValidationError as error:
            form.add_error("email", error)
        else:
            # The same page whatever happened: it must not reveal whether the
            # address was already subscribed.
            return redirect("consultation:register_interest_sent", consultation_id=consultation.pk)
    return render(
        request,
        "consultation/subscriptions/register.html",
        {"consultation": consultation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def register_interest_sent(request, consultation_id):
    consultation = _consultation(consultation_id)
    return render(request, "consultation/subscriptions/sent.html", {"consultation": consultation})


def subscription_confirm_link(request, token):
    subscription = Subscription.from_token(
        token, purpose="confirm", max_age=int(CONFIRM_LINK_MAX_AGE.total_seconds())
    )
    if subscription is None:
        return render(
            request, "consultation/subscriptions/link_invalid.html", {"what": "confirm"}, status=404
        )
    if request.method == "POST":
        subscription = subscription_confirm(subscription=subscription)
        return render(
            request, "consultation/subscriptions/confirmed.html", {"consultation": subscription.consultation}
        )
    return render(
        request,
        "consultation/subscriptions/confirm.html",
        {"consultation": subscription.consultation, "subscription": subscription},
    )


@csrf_exempt
def unsubscribe(request, token):
    subscription = Subscription.from_token(token, purpose="unsubscribe")
    if request.method == "POST":
        consultation = subscription.consultation if subscription else None
        if subscription is not None:
            subscription_cancel(subscription=subscription)
        # Unsubscribing twice, or with a link whose subscription is gone, ends
        # in the same place: this address gets no more updates.
        return render(request, "consultation/subscriptions/unsubscribed.html", {"consultation": consultation})
    if subscription is None:
        return render(
            request, "consultation/subscriptions/link_invalid.html", {"what": "unsubscribe"}, status=404
        )
    return render(
        request, "consultation/subscriptions/unsubscribe.html", {"consultation": subscription.consultation}
    )
