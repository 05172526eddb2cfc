"""What the lab API's topic modules share: small reference schemas, the helpers that
read an id from a body among the choices a page offers, and the way in of the reads the
public pages offer to anyone."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from ninja import Schema
from ninja.security import django_auth
from pydantic import Field

from machikoba.accounts.models import User
from machikoba.apitokens.auth import ApiTokenAuth
from machikoba.companies.models import Company


def _visitor(request: Any) -> bool:
    """The last way into a public read: neither a token nor a session, a visitor."""
    return True


# The reads of the public catalogue (a page anyone opens): a token or a session still
# counts, so the caller sees what the page shows them (their lab's withdrawn items, what
# they may do); without either the caller is a visitor and sees what a visitor sees. A
# token that is dead is still a 401, one without the area a 403.
PUBLIC_AUTH = [ApiTokenAuth(), django_auth, _visitor]
# Added to the operation's schema: no security at all is the third way in.
ANYONE: dict[str, Any] = {"security": [{}]}

# An e-mail address in a body (the services check it further, as the forms' EmailField).
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class Done(Schema):
    """What a button returns when it has nothing else to show."""

    ok: bool = True
    message: str = Field("", description="what was done, in the user's language")


class CompanyRef(Schema):
    id: int
    name: str


def company_ref(company: Company | None) -> CompanyRef | None:
    return CompanyRef(id=company.pk, name=company.name) if company is not None else None


def person_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name()


def pick(queryset: QuerySet[Any], pk: int | None) -> Any:
    """The row ``pk`` among ``queryset`` (the choices the page's form offers, read through
    the access layer by the selectors); any other id is not found, like a path id."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def pick_from(rows: list[Any], pk: int | None) -> Any:
    """``pk`` among a list of choices the selectors made, or not found."""
    if pk is None:
        return None
    for row in rows:
        if row.pk == pk:
            return row
    raise Http404
