"""Reads of municipalities: by postal data's JIS code, and the ones a person serves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from machikoba.core.access import VIEW, municipality_ids_for
from machikoba.wards.codes import parent_city_code, with_check_digit
from machikoba.wards.models import Municipality

if TYPE_CHECKING:
    from django.contrib.auth.models import _AnyUser as AnyUser


def municipality_for_jis(jis_code: str) -> Municipality | None:
    """The registered municipality of a five-digit JIS X 0402 code (as postal data give
    it): the municipality itself, or for a designated city's ward the city, when the city
    is registered and the ward is not. None outside every registered municipality."""
    if len(jis_code) != 5 or not jis_code.isdigit():
        return None
    codes = [with_check_digit(jis_code)]
    parent = parent_city_code(jis_code)
    if parent:
        codes.append(with_check_digit(parent))
    found = {m.code: m for m in Municipality.objects.filter(code__in=codes)}
    return next((found[code] for code in codes if code in found), None)


def municipalities(user: AnyUser) -> QuerySet[Municipality]:
    """Every registered municipality, in code order (public reference data)."""
    return Municipality.objects.for_user(user, VIEW).select_related("group").order_by("code")


def served_municipalities(user: AnyUser, role: str) -> QuerySet[Municipality]:
    """The municipalities ``user`` serves in ``role`` (directly or through a group)."""
    return Municipality.objects.filter(pk__in=municipality_ids_for(user, role)).order_by("code")
