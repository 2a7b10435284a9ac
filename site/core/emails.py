"""Which mailbox an email address reaches.

One mailbox answers to many spellings: `Alex+anything@example.org` reaches
`alex@example.org` at nearly every provider, and Gmail ignores dots too
(`a.l.e.x@googlemail.com` is `alex@gmail.com`). Accounts are unique by this
key, so one mailbox cannot confirm several voters; the address as typed is
still the one we write to.
"""

import unicodedata

# Providers where dots in the local part are ignored, and the domain each is an alias of.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def email_key(address):
    """The mailbox `address` reaches, in one spelling: lower case, without a
    `+tag`, and without dots at providers that ignore them. "" if it is not an
    address at all."""
    address = unicodedata.normalize("NFKC", str(address or "")).strip().casefold()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return ""
    domain = domain.rstrip(".")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        domain = DOTLESS_DOMAINS[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}" if local else ""
