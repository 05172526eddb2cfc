"""Phone and accessibility checks for Playwright tests.

`phone_checks(page)` asserts what issue 16 asks of every page on a 390 x 844 screen:

- nothing wider than the viewport: `document.scrollingElement.scrollWidth` <= its width;
- body text at least 16 px (the computed font-size of <body>);
- every visible tap target (a, button, input, select, textarea, summary, and the label of
  a checkbox or radio) at least 44 px tall (WCAG 2.5.5 AAA / Apple HIG; DADS controls are
  44-48 px).

Exceptions (decided, each with its reason):

- Links inside running text (an inline <a> whose block also holds other text, e.g. a link
  in a sentence or a table cell): WCAG 2.5.8's "inline" exception. Their line box must still
  be at least 24 px tall (16 px text at line-height 1.7 is 27 px), so they are not cramped.
- A checkbox or radio passes through its label: the label is the tap target (tapping it
  toggles the box), so the label must be >= 44 px; the 24 px box itself need not be.
- Elements that are not shown (display none, closed <details>, visually hidden `sr-only`
  text such as the skip link until it is focused) are not tap targets.
- The bars of the machine Gantt (`[data-testid=gantt-bar]`, shopfloor schedule): a bar is
  as tall as its machine's row (40 px) so that the rows stay readable, and every bar's work
  is also a 44 px row in the table under 「作業の一覧 (表で見る)」.
- Elements marked `data-tap-exempt="reason"` in a template (none are used today).

`axe_check(page)` runs axe-core (vendored under core/testing/vendor/, from the npm
registry by frontend/scripts/vendor.mjs) and asserts 0 serious or critical violations.
The Content-Security-Policy refuses inline scripts, so axe is not added with a <script>
tag: Playwright's `evaluate` runs the source through the DevTools protocol, which the
policy does not govern, and the page's own policy stays as it is."""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE_PATH = Path(__file__).parent / "vendor" / "axe.min.js"

PHONE = {"width": 390, "height": 844}
MIN_TAP = 44
MIN_INLINE_LINE = 24
MIN_BODY_FONT = 16
# Tap targets let off the 44 px rule (reasons in the module docstring).
EXEMPT = "[data-testid=gantt-bar]"

_MEASURE = """
({minTap, minInline, exempt}) => {
  const EXEMPT = exempt;
  const shown = (el) => {
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) return false;
    const rect = el.getBoundingClientRect();
    // sr-only: a 1 x 1 px clipped box
    return rect.width > 1 && rect.height > 1;
  };
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    return `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}> "${text.slice(0, 40)}"`;
  };
  const labelOf = (input) => input.closest("label") || (input.id &&
      document.querySelector(`label[for="${CSS.escape(input.id)}"]`));
  const inline = (el) => {
    if (getComputedStyle(el).display !== "inline") return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display === "inline") block = block.parentElement;
    if (!block) return false;
    return block.innerText.trim().length > el.innerText.trim().length;
  };
  const small = [];
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  for (const el of document.querySelectorAll(selector)) {
    if (el.dataset.tapExempt || el.matches(EXEMPT)) continue;
    const check = el.matches("input[type=checkbox], input[type=radio]");
    const target = check ? labelOf(el) : el;
    if (!target) {
      if (shown(el)) small.push(describe(el) + " has no label to tap");
      continue;
    }
    if (!shown(el) && !(check && shown(target))) continue;
    const height = target.getBoundingClientRect().height;
    if (height >= minTap) continue;
    if (!check && el.tagName === "A" && inline(el)) {
      const line = parseFloat(getComputedStyle(el.parentElement).lineHeight) || height;
      if (line >= minInline) continue;
      small.push(describe(el) + ` inline link on a ${line}px line`);
      continue;
    }
    small.push(describe(target) + ` ${Math.round(height)}px tall`);
  }
  const wide = [];
  const viewport = document.documentElement.clientWidth;
  for (const el of document.querySelectorAll("body *")) {
    const rect = el.getBoundingClientRect();
    if (rect.right > viewport + 1 && shown(el)) {
      wide.push(describe(el) + ` right edge ${Math.round(rect.right)}px`);
    }
    if (wide.length > 5) break;
  }
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    bodyFont: parseFloat(getComputedStyle(document.body).fontSize),
    small,
    wide,
  };
}
"""


def _measure(page) -> dict:
    """The measurements of ``_MEASURE``, taken once the page has loaded. A click just before
    may have started a navigation: measured mid-way, the document is gone (no
    ``documentElement``, or the context destroyed); then measure the page it led to."""
    from playwright.sync_api import Error

    arguments = {"minTap": MIN_TAP, "minInline": MIN_INLINE_LINE, "exempt": EXEMPT}
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            return page.evaluate(_MEASURE, arguments)
        except Error as error:
            navigating = "context was destroyed" in str(error) or "of null" in str(error)
            if not navigating or attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def phone_problems(page) -> list[str]:
    """What breaks the phone rules above on the page as it is now shown."""
    width = page.viewport_size["width"]
    found = _measure(page)
    problems = []
    if found["scrollWidth"] > width:
        problems.append(f"page is {found['scrollWidth']}px wide: {found['wide']}")
    if found["bodyFont"] < MIN_BODY_FONT:
        problems.append(f"body text is {found['bodyFont']}px")
    problems += [f"small tap target: {item}" for item in found["small"]]
    return problems


def phone_checks(page, where: str = "") -> None:
    """Assert the phone rules above on the page as it is now shown."""
    problems = phone_problems(page)
    assert not problems, (where or page.url, problems)


@cache
def _axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


_RUN_AXE = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    }));
}
"""


def axe_violations(page) -> list[dict]:
    """The serious and critical axe-core violations on the page as it is now shown."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(_RUN_AXE)


def axe_check(page, where: str = "") -> None:
    """Run axe-core on the page; there must be no serious or critical violation."""
    violations = axe_violations(page)
    assert not violations, (where or page.url, violations)
