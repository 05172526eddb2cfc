"""How complete a shop's profile is: the guided checklist its owners see and the score the
directory ranks by.

Six things make a profile that gets work: processes with their materials, how large a part
the shop takes (a capability's work envelope), its machines, its certifications, photos and
a PR text. Each is a yes/no condition on the company's row or its profile parts, written
once here as SQL expressions: ``profile_checklist`` reads all six for one company in one
query, and ``refresh_profile_score`` stores their sum on the company row
(``Company.profile_score``), which the directory ranks by (``stored_profile_score``):
six subqueries per matching company made a broad search at 特別区 scale several times
slower. Every service that changes an input of the score calls ``refresh_profile_score``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from machikoba.companies.models import (
    Capability,
    Company,
    CompanyCertification,
    CompanyPhoto,
    Equipment,
)

# The materials a capability lists live in the many-to-many table of Capability.materials.
_CapabilityMaterial = Capability.materials.through


def _done_parts() -> dict[str, tuple[QuerySet[Any], str]]:
    """For each item that a profile part fulfils: the rows that fulfil it (of every
    company) and the path from such a row to its company."""
    valid = Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate())
    return {
        "processes": (_CapabilityMaterial.objects.all(), "capability__company"),
        "envelope": (Capability.objects.filter(envelope_mm__isnull=False), "company"),
        "equipment": (Equipment.objects.all(), "company"),
        # An expired certificate no longer counts (the directory's filter ignores it too).
        "certifications": (CompanyCertification.objects.filter(valid), "company"),
        "photos": (CompanyPhoto.objects.all(), "company"),
    }


def _conditions(*, many: bool = False) -> dict[str, Exists | Q]:
    """Each item's condition on a Company row, or a test of its own field: over a few
    companies a correlated EXISTS over its parts (an index probe per row); over many
    (``many``, a bulk fill) ``pk IN (SELECT DISTINCT company …)``, which reads each table
    once into a hashed id set. After a bulk load without statistics the EXISTS became a
    merge join per row, and the IN without DISTINCT a rescan per row: minutes each."""
    conditions: dict[str, Exists | Q] = {
        key: Q(pk__in=rows.order_by().values(path).distinct())
        if many
        else Exists(rows.filter(**{path: OuterRef("pk")}))
        for key, (rows, path) in _done_parts().items()
    }
    conditions["pr_text"] = ~Q(pr_text="")
    return conditions


def _computed_score(*, many: bool = False) -> Expression:
    """How many checklist items a company has done today (0–6), as an expression on
    Company rows."""
    total: Expression = Value(0, output_field=IntegerField())
    for condition in _conditions(many=many).values():
        total = total + Case(When(condition, then=Value(1)), default=Value(0))
    return total


def _certified_until() -> Subquery:
    """The last day the certification item done today stays done: the latest expiry
    among the company's valid certificates; NULL when one never expires (or none is
    valid, when the item is not done and nothing is to expire)."""
    rows, path = _done_parts()["certifications"]
    return Subquery(
        rows.filter(**{path: OuterRef("pk")})
        .order_by(F("valid_until").desc(nulls_first=True))
        .values("valid_until")[:1]
    )


def refresh_profile_scores(companies: QuerySet[Company], *, many: bool = True) -> int:
    """Recompute the stored score of ``companies`` in one UPDATE (a bulk fill, such as a
    benchmark's: ``many``); returns the number of rows. ``updated_at`` is left alone: the
    score is derived, not a change of the profile (stale-profile reminders read it)."""
    return companies.order_by().update(
        profile_score=_computed_score(many=many), profile_certified_until=_certified_until()
    )


def refresh_profile_score(company: Company) -> None:
    """Store ``company``'s checklist score (and when its certification item expires) on
    its row and on the instance. Services call it inside their transaction after changing
    an input of the score: the company's PR text, a capability or its materials, a
    machine, a certificate or a photo."""
    refresh_profile_scores(Company.objects.filter(pk=company.pk), many=False)
    company.refresh_from_db(fields=["profile_score", "profile_certified_until"])


def stored_profile_score() -> Expression:
    """The checklist score as of today from the stored columns, as an expression on
    Company rows (no subquery): the stored score, less the certification item once every
    certificate counted in it has expired."""
    expired = Case(
        When(profile_certified_until__lt=timezone.localdate(), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return ExpressionWrapper(F("profile_score") - expired, output_field=IntegerField())


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    hint: str
    done: bool
    url: str  # the page where the item is done (or, once done, improved)


@dataclass(frozen=True)
class Checklist:
    items: list[ChecklistItem]

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total) if self.items else 100

    @property
    def complete(self) -> bool:
        return self.done_count == self.total

    @property
    def todo(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.done]


# key → (label, hint, where it is done: url(company_pk, first capability pk or None))
_ITEMS: dict[str, tuple[Promise, Promise, Callable[[int, int | None], str]]] = {
    "processes": (
        _("工程と対応材料"),
        _("できる加工 (工程) と、扱える材料を登録します。"),
        lambda pk, cap: _capability_url(pk, cap),
    ),
    "envelope": (
        _("加工できる大きさ"),
        _("工程ごとに、加工できる最大の長さ・幅・高さを入れます。"),
        lambda pk, cap: _capability_url(pk, cap),
    ),
    "equipment": (
        _("設備"),
        _("主な機械 (種類・メーカー・台数) を登録します。"),
        lambda pk, cap: reverse("companies:part_add", args=[pk, "equipment"]),
    ),
    "certifications": (
        _("認証・資格"),
        _("ISO 9001 などの認証や資格を登録します。"),
        lambda pk, cap: reverse("companies:part_add", args=[pk, "certifications"]),
    ),
    "photos": (
        _("写真"),
        _("工場・設備・製品の写真を載せます。"),
        lambda pk, cap: reverse("companies:photo_add", args=[pk]),
    ),
    "pr_text": (
        _("PR・得意なこと"),
        _("得意な加工や強みを、発注する側に向けて書きます。"),
        lambda pk, cap: reverse("companies:edit", args=[pk]) + "#id_pr_text",
    ),
}


def _capability_url(company_pk: int, capability_pk: int | None) -> str:
    """A capability's form: the first one's (to add materials or sizes), else a new one."""
    if capability_pk is None:
        return reverse("companies:part_add", args=[company_pk, "capabilities"])
    return reverse("companies:part_edit", args=[company_pk, "capabilities", capability_pk])


def profile_checklist(company: Company) -> Checklist:
    """The checklist of ``company``'s profile, read in one query.

    Every part it looks at is public profile data (anyone signed in sees it); pages show
    the checklist only to the company's own owners and staff, who can act on it."""
    conditions = _conditions()
    first_capability = (
        Capability.objects.filter(company=OuterRef("pk"))
        .order_by("process__sort_order", "process__code")
        .values("pk")[:1]
    )
    # Prefixed: the keys are also names of the company's relations.
    flags = {
        f"has_{key}": Case(
            When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
        for key, condition in conditions.items()
    }
    row = (
        Company.objects.filter(pk=company.pk)
        .annotate(**flags, first_capability=Subquery(first_capability))
        .values(*flags, "first_capability")
        .get()
    )
    return Checklist(
        items=[
            ChecklistItem(
                key=key,
                label=str(label),
                hint=str(hint),
                done=bool(row[f"has_{key}"]),
                url=where(company.pk, row["first_capability"]),
            )
            for key, (label, hint, where) in _ITEMS.items()
        ]
    )
