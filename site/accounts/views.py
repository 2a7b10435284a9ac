"""Sign up, confirm an email address, and edit a profile. Signing in and out
and resetting a password are Django's own views (see urls.py), with limits.

Every limit answers 429 with the same form again, what was typed kept, and
the reason at the top (core/limits.py). Confirmation links only show a page
with a button: mail scanners open links, and must not confirm anything.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.limits import TOO_MANY, TOO_MANY_PAGE, limit_exceeded
from core.links import public_origin

from .forms import MailboxPasswordResetForm, ProfileForm, SignupForm
from .services import (
    email_change_confirm,
    email_change_load,
    email_change_request,
    email_verification_link_check,
    email_verification_send,
    email_verify,
    profile_update,
    user_signup,
)

LOCKED_OUT = (
    "Too many wrong passwords for this username. Sign-in is paused for {minutes} minutes, whatever "
    "password is typed. You can reset your password by email meanwhile."
)


def _too_many(form):
    form.add_error(None, TOO_MANY)
    return form


# ---------------------------------------------------------------- signing in


def _sign_in_refused(request, message):
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "next": next_url, "refusal": message}
    return render(request, "registration/login.html", context, status=429)


class SignInView(auth_views.LoginView):
    """Django's sign-in, counted per network and per username (core/limits.py);
    wrong passwords are counted by django-axes (`sign_in_locked`)."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if limit_exceeded(request, "login_ip", "login_username"):
            return _sign_in_refused(request, TOO_MANY)
        return super().post(request, *args, **kwargs)


def sign_in_locked(request, original_response=None, credentials=None):
    """django-axes' answer (AXES_LOCKOUT_CALLABLE) while a username is locked out."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return _sign_in_refused(request, LOCKED_OUT.format(minutes=minutes))


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view: by mailbox, limited, with links on the configured public address."""

    form_class = MailboxPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def post(self, request, *args, **kwargs):
        if limit_exceeded(request, "password_reset_ip", "password_reset_email"):
            form = _too_many(self.get_form())
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.extra_email_context = {"site_url": public_origin(), "site_name": settings.SITE_NAME}
        return super().form_valid(form)


# ---------------------------------------------------------------- signing up


def signup(request):
    """Create an account. Whether the address already had one, the answer is
    the same page: its owner gets an email instead (accounts/services.py)."""
    if request.user.is_authenticated:
        return redirect("profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and limit_exceeded(request, "signup_ip", "signup_email"):
        return render(request, "registration/signup.html", {"form": _too_many(form)}, status=429)
    if request.method == "POST" and form.is_valid():
        user_signup(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            display_name=form.cleaned_data["display_name"],
            organisation=form.cleaned_data["organisation"],
        )
        return redirect("signup_done")
    return render(request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200)


def signup_done(request):
    return render(request, "registration/signup_done.html")


def verify_email(request, token):
    """A GET shows a button; the POST it sends confirms the address."""
    user = email_verification_link_check(token=token)
    if user is None:
        return render(request, "registration/verify_email_result.html", {}, status=400)
    if request.method != "POST":
        return render(request, "registration/verify_email_confirm.html", {"pending_user": user})
    try:
        user = email_verify(token=token)
    except ValidationError as error:
        context = {"refusal": " ".join(error.messages)}
        return render(request, "registration/verify_email_result.html", context, status=409)
    return render(
        request, "registration/verify_email_result.html", {"verified_user": user}, status=200 if user else 400
    )


@require_POST
@login_required
def verify_email_resend(request):
    if request.user.email_verified:
        messages.info(request, "Your email address is already confirmed.")
    elif limit_exceeded(request, "verify_email"):
        return render(
            request, "429.html", {"message": TOO_MANY_PAGE, "back_url": reverse("profile")}, status=429
        )
    else:
        email_verification_send(user=request.user)
        messages.success(request, f"We have sent a new link to {request.user.email}.")
    return redirect("profile")


# ---------------------------------------------------------------- profile


@login_required
def profile(request):
    user = request.user
    # ModelForm validation copies the new values onto the instance: keep the
    # old address, which stays until the new one is confirmed.
    email_was = user.email
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        user.email = email_was
        new_email = form.cleaned_data["email"]
        changing = new_email.lower() != email_was.lower()
        if changing and limit_exceeded(request, "email_change"):
            user.refresh_from_db()
            return render(request, "registration/profile.html", {"form": _too_many(form)}, status=429)
        profile_update(
            user=user,
            display_name=form.cleaned_data["display_name"],
            organisation=form.cleaned_data["organisation"],
            pseudonym=form.cleaned_data["pseudonym"],
            use_pseudonym=form.cleaned_data["use_pseudonym"],
        )
        if changing:
            # The same words whether or not the address has another account.
            email_change_request(user=user, email=new_email)
            messages.success(
                request,
                f"Saved. We have sent a link to {new_email}: follow it and press the button to move "
                f"your account to that address. Until then it stays {email_was}.",
            )
        else:
            messages.success(request, "Your profile is saved.")
        return redirect("profile")
    if form.errors:
        user.refresh_from_db()
    return render(request, "registration/profile.html", {"form": form}, status=400 if form.errors else 200)


def email_change(request, token):
    """The link sent to a new address: a GET shows a button; the POST moves the account."""
    loaded = email_change_load(token=token)
    if loaded is None:
        return render(request, "registration/email_change_result.html", {}, status=400)
    if request.method != "POST":
        return render(request, "registration/email_change_confirm.html", {"new_email": loaded[1]})
    try:
        user = email_change_confirm(token=token)
    except ValidationError as error:
        context = {"refusal": " ".join(error.messages)}
        return render(request, "registration/email_change_result.html", context, status=409)
    status = 200 if user else 400
    return render(request, "registration/email_change_result.html", {"changed_user": user}, status=status)
