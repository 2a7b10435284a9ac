"""Accounts: a sign-up form's data, the site address in emails, and the link in an email."""

import re

SITE = "https://openpolicy.example.gov"


def signup_data(**overrides):
    return {
        "username": "newperson",
        "email": "new@example.org",
        "display_name": "New Person",
        "organisation": "",
        "password1": "a-long-unusual-passphrase-42",
        "password2": "a-long-unusual-passphrase-42",
    } | overrides


def link_in(body):
    return re.search(r"https://\S+", body).group(0)
