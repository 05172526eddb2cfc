"""What the metrics pages say: state colours, icons and names; why a figure is missing;
where counts came from; and each figure as text with its numerator and denominator.

A state is never shown by colour alone: every band, card and legend entry has the
state's name and an icon whose shape differs by state. Colours are the design system's
(web/static/machikoba/css): ``fill`` for bands and strips, ``ink`` (at least 3:1 on
white) for icons; the board's card backgrounds are chosen in its template (class names
must be literal there for the CSS build to keep them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from machikoba.telemetry.choices import MachineState

from .definitions import CountBasis, Missing, Ratio

NO_DATA = "none"  # a machine with no state row at all


@dataclass(frozen=True, slots=True)
class StateStyle:
    state: str
    fill: str
    ink: str
    icon: str  # an SVG path on a 24 x 24 box

    @property
    def solid(self) -> str:
        """A plain colour for a strip (the offline band's fill is a hatch pattern)."""
        return self.ink if self.fill.startswith("url(") else self.fill


# Icons: play, pause, wrench, clock, stop square, warning triangle, no-signal circle.
STATE_STYLES: dict[str, StateStyle] = {
    MachineState.PRODUCING: StateStyle(
        MachineState.PRODUCING, "#197a4b", "#197a4b", "M7 4v16l13-8z"
    ),
    MachineState.IDLE: StateStyle(
        MachineState.IDLE, "#ffc700", "#927200", "M6 5h4v14H6zM14 5h4v14h-4z"
    ),
    MachineState.SETUP: StateStyle(
        MachineState.SETUP,
        "#57b8ff",
        "#264af4",
        "M22.7 19.3l-9.1-9.1c.9-2.3.4-5-1.5-6.9-2-2-5-2.4-7.4-1.3L9 6.3 6.3 9 2 4.7C.8 7.1 "
        "1.3 10.1 3.3 12.1c1.9 1.9 4.6 2.4 6.9 1.5l9.1 9.1c.4.4 1 .4 1.4 0l2-2c.4-.4.4-1 0-1.4z",
    ),
    MachineState.PLANNED_STOP: StateStyle(
        MachineState.PLANNED_STOP,
        "#b3b3b3",
        "#666666",
        "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm1-13h-2v6"
        "l5 3 1-1.7-4-2.4z",
    ),
    MachineState.UNPLANNED_STOP: StateStyle(
        MachineState.UNPLANNED_STOP, "#e25100", "#c74700", "M5 5h14v14H5z"
    ),
    MachineState.ALARM: StateStyle(
        MachineState.ALARM,
        "#ec0000",
        "#ce0000",
        "M1 21h22L12 2 1 21zm12-3h-2v-2h2v2zm0-4h-2v-4h2v4z",
    ),
    MachineState.OFFLINE: StateStyle(
        MachineState.OFFLINE,
        "url(#floor-offline)",
        "#4d4d4d",
        "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM4 12a8 8 0 0 1 12.9-6.3L5.7 17.9A7.9 7.9 0 0 1 4 "
        "12zm8 8a7.9 7.9 0 0 1-4.9-1.7L18.3 7.1A8 8 0 0 1 12 20z",
    ),
    NO_DATA: StateStyle(NO_DATA, "#e6e6e6", "#666666", "M5 11h14v2H5z"),
}


def state_label(state: str) -> str:
    if state == NO_DATA:
        return _("データなし")
    try:
        return str(MachineState(state).label)
    except ValueError:
        return state


def legend() -> list[tuple[StateStyle, str]]:
    return [(STATE_STYLES[state], state_label(state)) for state in MachineState.values]


MISSING_LABELS = {
    Missing.NO_PLANNED_TIME: gettext_lazy("計画時間がありません (休みの日、またはシフトの前)"),
    Missing.NO_LOADING_TIME: gettext_lazy("負荷時間がありません (計画時間がすべて計画停止)"),
    Missing.NO_PRODUCING_TIME: gettext_lazy("生産した時間がありません"),
    Missing.NO_IDEAL_CYCLE: gettext_lazy("理想サイクルタイムが未設定です"),
    Missing.NO_COUNTS: gettext_lazy(
        "生産数の記録がありません (承認済みの日報にも部品カウンタにもない)"
    ),
    Missing.NOTHING_MADE: gettext_lazy("生産数が 0 です"),
    Missing.MIXED_COUNTS: gettext_lazy(
        "日報のない日は部品カウンタの数なので、不良数が分かりません"
    ),
    Missing.NO_DEFECT_DATA: gettext_lazy(
        "部品カウンタだけでは不良数が分かりません (日報で良品・不良を記録すると出ます)"
    ),
    Missing.NO_MONITORING: gettext_lazy("稼働監視をしていない設備です (稼働率は日報から)"),
    Missing.REPORTS_NOT_IN_ONE_SHIFT: gettext_lazy(
        "シフトに分けられない日報の作業があります (時刻がない、またはシフトをまたぐ)。"
        "日の合計には入っています"
    ),
    Missing.PARTIAL: gettext_lazy("必要なデータのそろった設備がありません"),
    Missing.NO_DATA: gettext_lazy("記録のある設備がありません"),
}

BASIS_LABELS = {
    CountBasis.REPORTS: gettext_lazy("日報"),
    CountBasis.COUNTER: gettext_lazy("カウンタ"),
    CountBasis.MIXED: gettext_lazy("日報+カウンタ"),
    CountBasis.NONE: gettext_lazy("なし"),
}


def minutes_text(minutes: float) -> str:
    return _("%(minutes)s 分") % {"minutes": f"{round(minutes):,}"}


def count_text(count: float) -> str:
    return _("%(count)s 個") % {"count": f"{round(count):,}"}


@dataclass(frozen=True, slots=True)
class Figure:
    """A ratio as the page shows it: ``text`` ("72.5%" or "—"), ``detail`` (numerator /
    denominator with units), ``note`` (why it is missing, or the warning above 100 %)."""

    ratio: Ratio
    text: str
    detail: str
    note: str
    over: bool
    bar: float  # bar width in percent, 0..100

    @property
    def missing(self) -> bool:
        return self.ratio.value is None


def figure(value: Ratio, unit: str = "minutes") -> Figure:
    """``unit``: "minutes" (a time over a time) or "parts" (good over total)."""
    fmt = count_text if unit == "parts" else minutes_text
    if value.value is None:
        reason = value.missing or Missing.NO_PLANNED_TIME
        detail = ""
        if value.denominator and unit == "parts":
            detail = _("合計 %(total)s") % {"total": count_text(value.denominator)}
        return Figure(value, "—", detail, str(MISSING_LABELS[reason]), False, 0.0)
    percent = 100 * value.value
    detail = _("%(numerator)s / %(denominator)s") % {
        "numerator": fmt(value.numerator),
        "denominator": fmt(value.denominator),
    }
    note = ""
    if value.over:
        note = _("100%を超えています。理想サイクルタイムや数の記録を確かめてください。")
    return Figure(value, f"{percent:.1f}%", detail, note, value.over, round(min(100.0, percent), 2))


def without_repeated_notes(figures: list[Figure]) -> list[Figure]:
    """A row's figures with each reason said once: a note that an earlier figure of the
    row already gave is dropped (its value still shows 「—」)."""
    seen: set[str] = set()
    answer = []
    for item in figures:
        if item.note and not item.over and item.note in seen:
            item = replace(item, note="")
        seen.add(item.note)
        answer.append(item)
    return answer
