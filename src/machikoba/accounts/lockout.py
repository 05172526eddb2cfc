"""How django-axes tells one account's failed sign-ins from another's."""


def username_of_attempt(request, credentials) -> str | None:
    """allauth authenticates with ``email=`` while its form field is ``login``; axes must
    key lockouts on the address actually tried, lower-cased like the stored e-mails."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        value = request.POST.get("login")
    return value.strip().lower() if value else None
