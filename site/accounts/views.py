"""Sign up, confirm an email address, and edit a profile. Signing in and out
and resetting a password are Django's own views (see urls.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .forms import ProfileForm, SignupForm
from .services import email_verification_send, email_verify, profile_update, user_signup


def signup(request):
    if request.user.is_authenticated:
        return redirect("profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_signup(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            display_name=form.cleaned_data["display_name"],
            organisation=form.cleaned_data["organisation"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("signup_done")
    return render(request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def signup_done(request):
    return render(request, "registration/signup_done.html")


def verify_email(request, token):
    # A GET confirms: the link only proves the address reached its owner,
    # and confirming twice changes nothing.
    user = email_verify(token=token)
    return render(
        request, "registration/verify_email_result.html", {"verified_user": user}, status=200 if user else 400
    )


@require_POST
@login_required
def verify_email_resend(request):
    if request.user.email_verified:
        messages.info(request, "Your email address is already confirmed.")
    else:
        email_verification_send(user=request.user)
        messages.success(request, f"We have sent a new link to {request.user.email}.")
    return redirect("profile")


@login_required
def profile(request):
    user = request.user
    # ModelForm validation copies the new values onto the instance: keep the
    # old address so the service can tell whether it changed.
    email_was = user.email
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        user.email = email_was
        profile_update(
            user=user,
            display_name=form.cleaned_data["display_name"],
            organisation=form.cleaned_data["organisation"],
            pseudonym=form.cleaned_data["pseudonym"],
            use_pseudonym=form.cleaned_data["use_pseudonym"],
            email=form.cleaned_data["email"],
        )
        if user.email.lower() != email_was.lower():
            messages.success(
                request, f"Saved. We have sent a link to {user.email}: follow it to confirm the address."
            )
        else:
            messages.success(request, "Your profile is saved.")
        return redirect("profile")
    if form.errors:
        user.refresh_from_db()
    return render(request, "registration/profile.html", {"form": form}, status=400 if form.errors else 200)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, with links on the configured public address."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME}
        return super().form_valid(form)
