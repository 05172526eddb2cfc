"""Partner suggestions for a step: who can do it, ranked by a score anyone can check.

Candidates come from the directory search: a capability row in the step's process subtree
that takes the part's size (the job's ``size_mm``) and holds the step's tolerance
(``spec_fields["tolerance_mm"]``), when those are given. Each gets up to 100 points:

| part        | points | how                                                            |
|-------------|--------|----------------------------------------------------------------|
| fit         | 35     | 25 for the process, +10 when the job's material is listed       |
| distance    | 25     | 25 at the previous step's shop, falling to 0 at 20 km           |
| reliability | 30     | on-time share of its finished network steps (15 with no record);|
|             |        | with ratings, half on-time share and half average rating ÷ 5;   |
|             |        | minus 10 × its share of steps received with defects            |
| load        | 10     | 10 / (1 + open steps ÷ 3)                                        |

Each suggestion lists its reasons in words ("SUS304対応・2.1 km・納期遵守率 96 %").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from machikoba.companies.directory import (
    DirectoryQuery,
    directory_search,
    origin_of,
    process_subtree_ids,
)
from machikoba.companies.models import Capability
from machikoba.core.access import VIEW
from machikoba.network.models import Step
from machikoba.network.selectors import reliability

CANDIDATES = 200
FULL_DISTANCE_KM = 20.0


@dataclass
class Suggestion:
    company: object
    score: int
    reasons: list[str] = field(default_factory=list)
    distance_km: float | None = None
    on_time_rate: float | None = None
    open_steps: int = 0


def _previous_shop(step: Step):
    previous = (
        Step.objects.filter(job=step.job, position=step.position - 1)
        .select_related("performer")
        .first()
    )
    if previous is not None and previous.performer is not None:
        return previous.performer
    return step.job.company


def suggest_partners(*, user, step: Step, limit: int = 10) -> list[Suggestion]:
    job = step.job
    origin_company = _previous_shop(step)
    tolerance = step.spec_fields.get("tolerance_mm")
    query = DirectoryQuery(
        process=step.process.code,
        # The same capability row must also take the part's size and hold the tolerance.
        min_envelope_mm=job.size_mm,
        max_tolerance_mm=Decimal(tolerance) if tolerance else None,
        sort="distance",
        origin=origin_of(origin_company),
    )
    candidates = list(
        directory_search(user=user, query=query).exclude(pk=job.company_id)[:CANDIDATES]
    )
    with_material = set()
    if job.material_id:
        # The same capability row must list the material (see the directory's rule).
        with_material = set(
            Capability.objects.for_user(user, VIEW)
            .filter(
                company__in=[c.pk for c in candidates],
                process__in=process_subtree_ids(step.process.code),
                materials=job.material,
            )
            .values_list("company", flat=True)
        )
    records = reliability([c.pk for c in candidates])
    suggestions = []
    for company in candidates:
        record = records.get(company.pk, {})
        reasons = [_("%(process)s対応") % {"process": step.process.name}]
        fit = 25
        if company.pk in with_material:
            fit += 10
            reasons.append(_("%(material)s対応") % {"material": job.material.code})
        distance = getattr(company, "distance_km", None)
        if distance is None:
            near = 0.0
        else:
            near = 25 * max(0.0, 1 - distance / FULL_DISTANCE_KM)
            reasons.append(f"{distance:.1f} km")
        rate, rating = record.get("on_time_rate"), record.get("rating")
        if rate is not None:
            # With ratings, half the 30 points come from them (average of 5).
            reliable = 30 * rate if rating is None else 15 * rate + 15 * rating / 5
            reliable -= 10 * (record.get("defect_rate") or 0)
            reasons.append(_("納期遵守率 %(rate)d %%") % {"rate": round(rate * 100)})
        else:
            reliable = 15
            reasons.append(_("取引実績なし"))
        if rating is not None:
            reasons.append(_("評価 %(rating).1f") % {"rating": rating})
        open_steps = record.get("open", 0)
        load = 10 / (1 + open_steps / 3)
        if open_steps:
            reasons.append(_("進行中 %(n)d 件") % {"n": open_steps})
        suggestions.append(
            Suggestion(
                company=company,
                score=round(fit + near + max(reliable, 0) + load),
                reasons=reasons,
                distance_km=distance,
                on_time_rate=rate,
                open_steps=open_steps,
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.distance_km or 1e9, s.company.name))
    return suggestions[:limit]
