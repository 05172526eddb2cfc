"""The directory search: faceted filters over companies and their capabilities.

All filters that describe one process (process subtree, material, envelope,
tolerance) must hold for the same capability row: "NC旋盤 with SUS304 up to 300 mm"
means one capability, not three different ones. Distance uses an equirectangular
approximation (exact to well under 1 % inside a city), computed in SQL with plain
arithmetic so SQLite and PostgreSQL answer the same; a bounding box in front of it
keeps the index on (latitude, longitude) useful.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Sqrt
from django.utils import timezone

from machikoba.companies.checklist import stored_profile_score
from machikoba.companies.choices import OUTSIDE_WARDS, CompanyKind
from machikoba.companies.coverage import coverage_conditions
from machikoba.companies.models import (
    Capability,
    CertificationKind,
    Company,
    CompanyCertification,
    Material,
    ProcessCategory,
)
from machikoba.companies.search import text_condition
from machikoba.companies.selectors import attach_card_details
from machikoba.core.access import VIEW
from machikoba.core.pagination import KnownCount, page_number

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180

SORTS = ("relevance", "distance", "name", "employees")


@dataclass
class DirectoryQuery:
    text: str = ""
    process: str = ""  # a ProcessCategory code; its subtree matches
    material: str = ""  # a Material code
    min_envelope_mm: int | None = None
    max_tolerance_mm: Decimal | None = None  # "at least this precise"
    certification: str = ""  # a CertificationKind code, valid today
    municipality: str = ""  # the address's 市区町村 as written (the API's filter)
    ward: str = ""  # a registered municipality's code, or OUTSIDE_WARDS
    within_km: float | None = None
    sort: str = "relevance"
    origin: tuple[float, float] | None = field(default=None, compare=False)

    def has_capability_filter(self) -> bool:
        return bool(self.process or self.material or self.min_envelope_mm or self.max_tolerance_mm)


def process_subtree(code: str) -> dict[str, int]:
    """The categories of the subtree of ``code`` (itself included): code → id."""
    return dict(
        ProcessCategory.objects.filter(Q(code=code) | Q(code__startswith=f"{code}."))
        .order_by()
        .values_list("code", "id")
    )


def process_subtree_ids(code: str) -> list[int]:
    return list(process_subtree(code).values())


def directory_search(*, user, query: DirectoryQuery) -> QuerySet:
    """Companies matching ``query``, annotated with ``distance_km`` (or None) and
    ``text_score``, ordered by ``query.sort``. The caller paginates."""
    companies = Company.objects.for_user(user, VIEW).filter(is_active=True, kind=CompanyKind.SHOP)

    if query.has_capability_filter():
        # The coverage index first (one index range per filter); the capabilities
        # themselves only where the filters must meet on one capability row.
        subtree = process_subtree(query.process) if query.process else {}
        material_ids = (
            list(
                Material.objects.filter(code=query.material).order_by().values_list("id", flat=True)
            )
            if query.material
            else None
        )
        if (query.process and query.process not in subtree) or material_ids == []:
            return companies.none()  # an unknown code: nothing can match it
        conditions, exact = coverage_conditions(
            process_id=subtree.get(query.process),
            material_ids=material_ids,
            min_envelope_mm=query.min_envelope_mm,
            max_tolerance_mm=query.max_tolerance_mm,
        )
        for condition in conditions:
            companies = companies.filter(condition)
        if not exact:
            companies = companies.filter(
                Exists(_capabilities_matching(query, list(subtree.values()), material_ids))
            )

    if query.certification:
        today = timezone.localdate()
        companies = companies.filter(
            Exists(
                CompanyCertification.objects.filter(
                    company=OuterRef("pk"),
                    kind__in=CertificationKind.objects.filter(code=query.certification),
                ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            )
        )

    if query.municipality:
        companies = companies.filter(municipality=query.municipality)
    if query.ward == OUTSIDE_WARDS:
        companies = companies.filter(ward__isnull=True)
    elif query.ward:
        companies = companies.filter(ward__code=query.ward)

    companies = companies.annotate(distance_km=_distance_expression(query.origin))
    if query.within_km is not None and query.origin is not None:
        lat, lon = query.origin
        dlat = query.within_km / KM_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        companies = companies.filter(
            latitude__gte=lat - dlat,
            latitude__lte=lat + dlat,
            longitude__gte=lon - dlon,
            longitude__lte=lon + dlon,
            distance_km__lte=query.within_km,
        )

    text = text_condition(query.text) if query.text.strip() else None
    if query.text.strip() and text is None:  # only punctuation: nothing to look for
        companies = companies.none()
    if text is not None:
        condition, needed = text
        # One join and GROUP BY: companies with every gram of the query, scored by the
        # weights of the grams they matched (names count more than PR text).
        companies = (
            companies.filter(_prefixed(condition, "search_grams"))
            .annotate(
                matched=Count("search_grams__gram", distinct=True),
                text_score=Sum("search_grams__weight"),
            )
            .filter(matched__gte=needed)
        )
    else:
        companies = companies.annotate(text_score=Value(0, output_field=IntegerField()))

    if _ranks_by_relevance(query):
        # Aliases, not annotations: only the ordering reads them, and the page's second
        # query (which drops the ordering) does not compute them again.
        companies = companies.alias(
            completeness=stored_profile_score(),
            verified=Case(
                When(verified_at__isnull=False, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
    return companies.order_by(*_ordering(query))


def _capabilities_matching(
    query: DirectoryQuery, process_ids: list[int], material_ids: list[int] | None
) -> QuerySet:
    """A company's capabilities that meet every capability filter of ``query`` at once."""
    capabilities = Capability.objects.filter(company=OuterRef("pk"))
    if query.process:
        capabilities = capabilities.filter(process_id__in=process_ids)
    if material_ids is not None:
        # By id: the through table alone answers, without joining the materials.
        capabilities = capabilities.filter(materials__in=material_ids)
    if query.min_envelope_mm:
        capabilities = capabilities.filter(envelope_mm__gte=query.min_envelope_mm)
    if query.max_tolerance_mm is not None:
        capabilities = capabilities.filter(best_tolerance_mm__lte=query.max_tolerance_mm)
    return capabilities


def _ranks_by_relevance(query: DirectoryQuery) -> bool:
    return query.sort not in ("distance", "name", "employees") or (
        query.sort == "distance" and query.origin is None
    )


def _prefixed(condition: Q, relation: str) -> Q:
    """The same Q, its lookups moved onto a related model (``gram`` → ``rel__gram``)."""
    result = Q()
    result.connector, result.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            result.children.append(_prefixed(child, relation))
        else:
            key, value = child
            result.children.append((f"{relation}__{key}", value))
    return result


def _distance_expression(origin):
    if origin is None:
        return Value(None, output_field=FloatField())
    lat, lon = origin
    cos_lat = math.cos(math.radians(lat))
    dy = ExpressionWrapper(
        (F("latitude") - Value(lat)) * Value(KM_PER_DEGREE), output_field=FloatField()
    )
    dx = ExpressionWrapper(
        (F("longitude") - Value(lon)) * Value(KM_PER_DEGREE * cos_lat), output_field=FloatField()
    )
    return ExpressionWrapper(Sqrt(dy * dy + dx * dx), output_field=FloatField())


def _ordering(query: DirectoryQuery) -> list:
    by_name = ["name_kana", "name", "pk"]
    if query.sort == "distance" and query.origin is not None:
        return [F("distance_km").asc(nulls_last=True), *by_name]
    if query.sort == "name":
        return by_name
    if query.sort == "employees":
        return [F("employees").desc(nulls_last=True), *by_name]
    # relevance: best text match first; among equal matches verified companies, then the
    # more complete profiles (the stored checklist score, companies.checklist); then
    # nearest, then name
    ordering = [F("text_score").desc(nulls_last=True)] if query.text.strip() else []
    ordering += [F("verified").desc(), F("completeness").desc()]
    if query.origin is not None:
        ordering.append(F("distance_km").asc(nulls_last=True))
    return [*ordering, *by_name]


def origin_of(company: Company | None) -> tuple[float, float] | None:
    if company is None or company.latitude is None or company.longitude is None:
        return None
    return float(company.latitude), float(company.longitude)


def directory_page(*, user, query: DirectoryQuery, number, per_page: int):
    """One page of ``directory_search`` in two narrow queries.

    The first returns only the ids of the page's matches and the number of all matches
    (``COUNT(*) OVER ()``): the database filters without carrying whole rows and keeps
    only the best rows while sorting (a top-N sort) instead of sorting and sending every
    id (30,000 on a broad search at 特別区 scale); the second fetches the page's
    companies in full, then their card details. A page past the last one shows the last
    (one more query, only then).
    """
    ordered = directory_search(user=user, query=query)
    number = page_number(number)
    page_ids, total = _page_ids(ordered, number, per_page)
    if not page_ids and number > 1:
        total = ordered.count()
        number = max(math.ceil(total / per_page), 1)
        page_ids, total = _page_ids(ordered, number, per_page)
    paginator = Paginator(KnownCount(total), per_page)

    by_id = {company.pk: company for company in ordered.filter(pk__in=page_ids).order_by()}
    companies = attach_card_details([by_id[pk] for pk in page_ids if pk in by_id], user=user)
    return Page(companies, number, paginator)


def _page_ids(ordered: QuerySet, number: int, per_page: int) -> tuple[list[int], int]:
    """The ids on page ``number`` of ``ordered`` and the number of all its rows.

    One query: the matches with their sort keys and ``COUNT(*) OVER ()`` in a subquery,
    ordered and cut outside it. The database then filters and counts without sorting,
    and keeps only the page's best rows while sorting (a top-N sort). With the window
    and the ordering in one SELECT, PostgreSQL sorts every match first (30,000 on a broad
    search at 特別区 scale: most of the search's time).
    """
    keys: dict[str, Any] = {}
    order = []
    for n, expression in enumerate(ordered.query.order_by):
        if isinstance(expression, str):
            descending = expression.startswith("-")
            expression = F(expression.lstrip("-"))
            expression = expression.desc() if descending else expression.asc()
        name = f"sort_{n}"
        keys[name] = expression.expression
        nulls = " NULLS LAST" if expression.nulls_last else ""
        nulls = " NULLS FIRST" if expression.nulls_first else nulls
        order.append(f'"{name}" {"DESC" if expression.descending else "ASC"}{nulls}')
    matches = (
        ordered.order_by()
        .annotate(page_id=F("pk"), total_matches=Window(Count("pk")), **keys)
        .values_list("page_id", "total_matches", *keys)
    )
    sql, params = matches.query.sql_with_params()
    # The text is the ORM's own compiled query and our column names; values go as
    # parameters.
    with connections[ordered.db].cursor() as cursor:
        cursor.execute(
            f'SELECT "page_id", "total_matches" FROM ({sql}) "matches" '  # noqa: S608
            f"ORDER BY {', '.join(order)} LIMIT %s OFFSET %s",
            [*params, per_page, (number - 1) * per_page],
        )
        rows = cursor.fetchall()
    return [pk for pk, _ in rows], rows[0][1] if rows else 0
