"""Rows of figures for the metrics pages: a ``FigureRow`` is one machine (or shift, or
day) with its 稼働率, availability, performance, quality and OEE, each with numerator and
denominator, and the basis of its counts; a ``CombinedRow`` is all machines together, with
how many machines (or machine-days) its OEE covers. ``figure_row`` and ``combined_row``
build them from the engine's figures, a note said once per row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from machikoba.telemetry.models import Machine

from .definitions import Combined, Oee
from .labels import BASIS_LABELS, Figure, figure, minutes_text, without_repeated_notes


@dataclass
class FigureRow:
    """One machine (or shift, or day) with its figures, each with numerator and
    denominator."""

    name: str
    figures: Oee
    utilisation: Figure
    availability: Figure
    performance: Figure
    quality: Figure
    oee: Figure
    basis: str
    monitored: bool = True
    machine: Machine | None = None
    shift_time: str = ""

    @property
    def planned(self) -> str:
        return minutes_text(self.figures.planned)

    @property
    def loading(self) -> str:
        return minutes_text(self.figures.loading)

    @property
    def planned_stop(self) -> str:
        return minutes_text(self.figures.planned_stop)

    @property
    def producing(self) -> str:
        return minutes_text(self.figures.producing)

    @property
    def offline(self) -> str:
        return minutes_text(self.figures.offline)

    @property
    def coverage(self) -> str:
        """Over several days: on how many the OEE stands, when not on all of them."""
        if self.figures.covered is None or not self.monitored:
            return ""
        complete, days = self.figures.covered
        if not days or complete == days:
            return ""
        return _("OEE は %(complete)d / %(days)d 日分") % {"complete": complete, "days": days}

    @property
    def counts(self) -> str:
        counts = self.figures.counts
        if counts.total is None:
            return "—"
        if counts.good is None:
            return _("%(total)s 個 (不良数は不明)") % {"total": f"{round(counts.total):,}"}
        return _("%(total)s 個 (良品 %(good)s)") % {
            "total": f"{round(counts.total):,}",
            "good": f"{round(counts.good):,}",
        }


def figure_row(
    name: str, figures: Oee, *, monitored: bool = True, machine: Machine | None = None
) -> FigureRow:
    basis = str(BASIS_LABELS[figures.counts.basis]) if monitored else _("日報から")
    shown = without_repeated_notes(
        [
            figure(figures.utilisation),
            figure(figures.availability),
            figure(figures.performance),
            figure(figures.quality, "parts"),
            figure(figures.oee),
        ]
    )
    utilisation_, availability, performance, quality, oee_ = shown
    return FigureRow(
        name=name,
        figures=figures,
        utilisation=utilisation_,
        availability=availability,
        performance=performance,
        quality=quality,
        oee=oee_,
        basis=basis,
        monitored=monitored,
        machine=machine,
    )


@dataclass
class CombinedRow:
    name: str
    combined: Combined
    utilisation: Figure
    availability: Figure
    performance: Figure
    quality: Figure
    oee: Figure
    working: bool = True
    upcoming: bool = False  # a shift (or today) that has not started yet
    machine_days: bool = False  # several days: the counts below are of machine-days

    @property
    def coverage(self) -> str:
        """How many machines (machine-days) the OEE covers."""
        if not self.combined.machines:
            return ""
        values = {"complete": self.combined.complete, "machines": self.combined.machines}
        if self.machine_days:
            return _("OEE は %(complete)d / %(machines)d 設備日分") % values
        return _("OEE は %(complete)d / %(machines)d 台") % values


def combined_row(
    name: str,
    combined: Combined,
    *,
    working: bool = True,
    upcoming: bool = False,
    machine_days: bool = False,
) -> CombinedRow:
    shown = without_repeated_notes(
        [
            figure(combined.utilisation),
            figure(combined.availability),
            figure(combined.performance),
            figure(combined.quality, "parts"),
            figure(combined.oee),
        ]
    )
    utilisation_, availability, performance, quality, oee_ = shown
    return CombinedRow(
        name=name,
        combined=combined,
        utilisation=utilisation_,
        availability=availability,
        performance=performance,
        quality=quality,
        oee=oee_,
        working=working,
        upcoming=upcoming,
        machine_days=machine_days,
    )
