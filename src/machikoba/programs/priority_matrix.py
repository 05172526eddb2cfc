"""The 課題の棚卸し's priority matrix, drawn as an inline SVG the owner sees on a phone.

Effort (解決の手間, 1–5) runs left to right, impact (影響の大きさ, 1–5) bottom to top.
A problem lands in one of four quadrants, and the lines between them fall between the
score bands, so every dot sits clearly inside its quadrant:

- すぐやる: impact 3–5, effort 1–3 (a 3 counts as "worth it" and "manageable");
- 計画してやる: impact 3–5, effort 4–5;
- 余裕があれば: impact 1–2, effort 1–3;
- 後回し: impact 1–2, effort 4–5.

Each problem is a numbered dot; the page lists the same numbers below the drawing, in
priority order (``prioritised``). No ``style=`` attribute anywhere (the Content-Security-
Policy refuses inline styles): colours and fonts are SVG presentation attributes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

QUICK_WIN = "quick_win"
PLAN = "plan"
SPARE_TIME = "spare_time"
LATER = "later"
QUADRANT_ORDER = (QUICK_WIN, PLAN, SPARE_TIME, LATER)

HIGH_IMPACT_FROM = 3  # impact 3, 4, 5 is high
LOW_EFFORT_UP_TO = 3  # effort 1, 2, 3 is low

# Geometry of the drawing (SVG user units; the SVG scales to its container's width).
WIDTH, HEIGHT = 360, 400
LEFT, TOP = 44, 34  # the plot's top-left corner; above it, the top quadrants' names
BAND = 62  # one score step
PLOT = 5 * BAND
FILLS = {QUICK_WIN: "#D9F2E1", PLAN: "#DDEBFB", SPARE_TIME: "#FFF4CC", LATER: "#EDEDED"}
DOT_FILL = "#1A1A1A"
INK = "#1A1A1A"
MUTED = "#595959"
FONT = "'Noto Sans JP', sans-serif"


class Scored(Protocol):
    impact: int
    effort: int


def quadrant_of(*, impact: int, effort: int) -> str:
    high = impact >= HIGH_IMPACT_FROM
    low = effort <= LOW_EFFORT_UP_TO
    if high:
        return QUICK_WIN if low else PLAN
    return SPARE_TIME if low else LATER


def quadrant_labels() -> dict[str, str]:
    return {
        QUICK_WIN: _("すぐやる"),
        PLAN: _("計画してやる"),
        SPARE_TIME: _("余裕があれば"),
        LATER: _("後回し"),
    }


def priority_key(item: Scored) -> tuple[int, int, int, int]:
    """Quadrant first (すぐやる … 後回し), then higher impact, then less effort, then the
    order the problems were written down in."""
    quadrant = quadrant_of(impact=item.impact, effort=item.effort)
    return (
        QUADRANT_ORDER.index(quadrant),
        -item.impact,
        item.effort,
        getattr(item, "pk", 0) or 0,
    )


_T = TypeVar("_T", bound=Scored)


def prioritised(items: Iterable[_T]) -> list[_T]:
    return sorted(items, key=priority_key)


@dataclass(frozen=True)
class Dot:
    number: int
    x: float
    y: float
    radius: float
    quadrant: str


def _centre(*, impact: int, effort: int) -> tuple[float, float]:
    x = LEFT + (effort - 0.5) * BAND
    y = TOP + (5 - impact + 0.5) * BAND
    return x, y


# Offsets of up to nine dots sharing one cell (same impact and effort).
_SPREAD = {
    1: [(0, 0)],
    2: [(-13, 0), (13, 0)],
    3: [(-13, -11), (13, -11), (0, 12)],
    4: [(-13, -13), (13, -13), (-13, 13), (13, 13)],
}
_GRID_9 = [(dx, dy) for dy in (-19, 0, 19) for dx in (-19, 0, 19)]


def dots(items: Sequence[Scored]) -> list[Dot]:
    """One dot per item, numbered 1.. in the order given; dots sharing a cell spread out."""
    cells: dict[tuple[int, int], list[int]] = {}
    for index, item in enumerate(items):
        cells.setdefault((item.impact, item.effort), []).append(index)
    placed: dict[int, Dot] = {}
    for (impact, effort), indexes in cells.items():
        cx, cy = _centre(impact=impact, effort=effort)
        many = len(indexes) > 4
        offsets = _GRID_9 if many else _SPREAD[len(indexes)]
        radius = 9.0 if many else 12.0
        for slot, index in enumerate(indexes):
            dx, dy = offsets[slot % len(offsets)]
            placed[index] = Dot(
                number=index + 1,
                x=cx + dx,
                y=cy + dy,
                radius=radius,
                quadrant=quadrant_of(impact=impact, effort=effort),
            )
    return [placed[index] for index in range(len(items))]


def _text(x: float, y: float, content: str, **attrs: object) -> str:
    extra = " ".join(f'{name.replace("_", "-")}="{escape(str(v))}"' for name, v in attrs.items())
    return f'<text x="{x:g}" y="{y:g}" {extra}>{escape(content)}</text>'


def priority_matrix_svg(items: Sequence[Scored], *, title: str = "") -> SafeString:
    """The matrix of ``items`` (already in the order their numbers should follow) as an
    accessible inline SVG: a title and a description for screen readers, the numbers
    listed in text beside it by the page."""
    labels = quadrant_labels()
    title = title or _("課題の優先順位マップ")
    counts = dict.fromkeys(QUADRANT_ORDER, 0)
    for item in items:
        counts[quadrant_of(impact=item.impact, effort=item.effort)] += 1
    description = _(
        "横軸は解決の手間 (左ほど小さい)、縦軸は影響の大きさ (上ほど大きい)。"
        "すぐやる %(quick)s 件、計画してやる %(plan)s 件、余裕があれば %(spare)s 件、"
        "後回し %(later)s 件。番号は下の一覧と同じです。"
    ) % {
        "quick": counts[QUICK_WIN],
        "plan": counts[PLAN],
        "spare": counts[SPARE_TIME],
        "later": counts[LATER],
    }
    split_x = LEFT + LOW_EFFORT_UP_TO * BAND
    split_y = TOP + (5 - HIGH_IMPACT_FROM + 1) * BAND
    right, bottom = LEFT + PLOT, TOP + PLOT
    quadrants = {
        QUICK_WIN: (LEFT, TOP, split_x - LEFT, split_y - TOP),
        PLAN: (split_x, TOP, right - split_x, split_y - TOP),
        SPARE_TIME: (LEFT, split_y, split_x - LEFT, bottom - split_y),
        LATER: (split_x, split_y, right - split_x, bottom - split_y),
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'role="img" aria-labelledby="matrix-title matrix-desc" '
        'class="block h-auto w-full max-w-md" data-testid="priority-matrix" '
        f'font-family="{escape(FONT)}">',
        f'<title id="matrix-title">{escape(title)}</title>',
        f'<desc id="matrix-desc">{escape(description)}</desc>',
    ]
    for quadrant, (x, y, w, h) in quadrants.items():
        parts.append(
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{FILLS[quadrant]}" '
            f'data-quadrant="{quadrant}"/>'
        )
    # Faint lines between the score bands, strong lines between the quadrants.
    for step in range(1, 5):
        pos = step * BAND
        parts.append(
            f'<line x1="{LEFT + pos}" y1="{TOP}" x2="{LEFT + pos}" y2="{bottom}" '
            'stroke="#FFFFFF" stroke-width="1"/>'
        )
        parts.append(
            f'<line x1="{LEFT}" y1="{TOP + pos}" x2="{right}" y2="{TOP + pos}" '
            'stroke="#FFFFFF" stroke-width="1"/>'
        )
    parts.append(
        f'<line x1="{split_x}" y1="{TOP}" x2="{split_x}" y2="{bottom}" '
        f'stroke="{MUTED}" stroke-width="2"/>'
    )
    parts.append(
        f'<line x1="{LEFT}" y1="{split_y}" x2="{right}" y2="{split_y}" '
        f'stroke="{MUTED}" stroke-width="2"/>'
    )
    parts.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{PLOT}" height="{PLOT}" fill="none" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    # Quadrant names: the top two above the plot, the bottom two inside its bottom edge.
    bold = {"font_size": 15, "font_weight": "700", "fill": INK}
    parts.append(_text(LEFT + 4, TOP - 10, labels[QUICK_WIN], **bold))
    parts.append(_text(right - 4, TOP - 10, labels[PLAN], text_anchor="end", **bold))
    small = {"font_size": 13, "font_weight": "700", "fill": MUTED}
    parts.append(_text(LEFT + 6, bottom - 8, labels[SPARE_TIME], **small))
    parts.append(_text(right - 6, bottom - 8, labels[LATER], text_anchor="end", **small))
    # Axes: the score numbers and what each axis measures.
    for score in range(1, 6):
        tick_x, _y = _centre(impact=1, effort=score)
        parts.append(
            _text(tick_x, bottom + 18, str(score), text_anchor="middle", font_size=13, fill=MUTED)
        )
        _x, tick_y = _centre(impact=score, effort=1)
        parts.append(
            _text(LEFT - 10, tick_y + 5, str(score), text_anchor="end", font_size=13, fill=MUTED)
        )
    parts.append(
        _text(
            LEFT + PLOT / 2,
            bottom + 44,
            _("解決の手間 (小 → 大)"),
            text_anchor="middle",
            font_size=14,
            fill=INK,
        )
    )
    mid_y = TOP + PLOT / 2
    parts.append(
        f'<text x="14" y="{mid_y:g}" transform="rotate(-90 14 {mid_y:g})" '
        f'text-anchor="middle" font-size="14" fill="{INK}">'
        f"{escape(_('影響の大きさ (小 → 大)'))}</text>"
    )
    for dot in dots(items):
        font = 13 if dot.radius >= 12 else 11
        parts.append(
            f'<g data-testid="matrix-dot" data-number="{dot.number}" '
            f'data-quadrant="{dot.quadrant}">'
            f'<circle cx="{dot.x:g}" cy="{dot.y:g}" r="{dot.radius:g}" fill="{DOT_FILL}" '
            'stroke="#FFFFFF" stroke-width="1.5"/>'
            + _text(
                dot.x,
                dot.y + font * 0.36,
                str(dot.number),
                text_anchor="middle",
                font_size=font,
                font_weight="700",
                fill="#FFFFFF",
            )
            + "</g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped)
