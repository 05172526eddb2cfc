"""A ward's public KPI page (only while the ward publishes it): the network's size and
outcomes, counts only, read as a visitor reads them. Small-number suppression applies to
everyone, and nothing names a company: no record, no drill-down, no company count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from machikoba.core.access import VIEW, get_for_user_or_404
from machikoba.core.fiscal import fiscal_year_bounds
from machikoba.kpi.choices import Measure
from machikoba.kpi.evaluation import current_definitions, evaluate, scope_for, this_fiscal_year
from machikoba.kpi.models import Publication
from machikoba.kpi.selectors.figures import Shown, shown
from machikoba.wards.models import Municipality

# The counts a ward may publish, in the page's order (measure ③, the network, first).
PUBLIC_CODES = (
    "M3.P2",
    "M3.OUT",
    "M3.KGI",
    "M3.KSI",
    "M3.P1",
    "M3.P3",
    "M1.P1",
    "M1.P2",
    "M1.P3",
    "M2.KSI",
    "M2.P1",
    "M2.P2",
    "M2.P3",
)


@dataclass(frozen=True)
class PublicFigure:
    code: str
    name: str
    unit_text: str
    now: Shown
    before: Shown


@dataclass(frozen=True)
class PublicSection:
    label: str
    figures: list[PublicFigure]


@dataclass(frozen=True)
class PublicPage:
    ward: Municipality
    introduction: str
    year: int
    as_of: dt.date
    sections: list[PublicSection]


def public_page(code: str, *, today: dt.date) -> PublicPage:
    """The public page of the ward ``code``; 404 unless the ward publishes it. Read with
    a visitor's rights whoever asks: a signed-in reader sees what the public sees."""
    publication = get_for_user_or_404(
        Publication.objects.select_related("municipality"),
        None,
        VIEW,
        municipality__code=code,
    )
    ward = publication.municipality
    year = this_fiscal_year(today)
    now = scope_for(year, (ward.pk,), today=today)
    before = scope_for(year - 1, (ward.pk,), today=today)
    definitions = {d.indicator.code: d for d in current_definitions()}
    by_measure: dict[int, list[PublicFigure]] = {}
    for indicator in PUBLIC_CODES:
        definition = definitions.get(indicator)
        if definition is None:
            continue
        current = shown(evaluate(definition, now))
        by_measure.setdefault(definition.indicator.measure, []).append(
            PublicFigure(
                indicator,
                definition.display_name,
                current.unit_text,
                current,
                shown(evaluate(definition, before)),
            )
        )
    order = (Measure.ECOSYSTEM, Measure.DOJO, Measure.SUBSIDY)
    sections = [
        PublicSection(str(Measure(m).label), by_measure[m]) for m in order if m in by_measure
    ]
    return PublicPage(
        ward,
        publication.introduction,
        year,
        min(today, fiscal_year_bounds(year)[1]),
        sections,
    )
