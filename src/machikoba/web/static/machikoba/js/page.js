// Small page behaviours that used to be inline attributes. The Content-Security-Policy
// allows no inline scripts and no style="" attributes, so templates carry data-*
// attributes and this file acts on them. Styles set through the CSSOM (element.style)
// are allowed by the policy; style attributes in the markup are not.
//
//   data-left="12.5" data-width="30"  position (percent) of a bar or a marker on a track
//   data-grid-columns="7"             a grid of that many equal columns
//   data-aspect="1190 / 842"          aspect-ratio of a frame (width / height)
//   data-open-wide                    a <details> that starts open on wide screens (>= 48em)
//   data-no-context-menu              no right-click menu (drawing pages on guest links)
//   class="overflow-x-auto"           a box that scrolls sideways (a wide table) is made
//                                     focusable, so a keyboard can scroll it (WCAG 2.1.1)
//
// Content that arrives later (htmx swaps, the machine Gantt's own fetch) is handled by
// a MutationObserver, so every way of inserting HTML gets the same treatment.
(function () {
  "use strict";

  const WIDE = "(min-width: 48em)";

  function percent(value) {
    const number = Number(value);
    return Number.isFinite(number) ? number + "%" : "";
  }

  function apply(element) {
    const data = element.dataset;
    if (data.left !== undefined) element.style.left = percent(data.left);
    if (data.width !== undefined) element.style.width = percent(data.width);
    if (data.gridColumns !== undefined) {
      const columns = parseInt(data.gridColumns, 10);
      if (columns > 0) element.style.gridTemplateColumns = "repeat(" + columns + ", minmax(0, 1fr))";
    }
    if (data.aspect !== undefined && /^[0-9.]+ \/ [0-9.]+$/.test(data.aspect)) {
      element.style.aspectRatio = data.aspect;
    }
    if (data.openWide !== undefined && !element.dataset.openWideDone) {
      element.dataset.openWideDone = "true";
      if (window.matchMedia(WIDE).matches) element.open = true;
    }
  }

  const SELECTOR = "[data-left], [data-width], [data-grid-columns], [data-aspect], [data-open-wide]";
  const SCROLLER = ".overflow-x-auto";

  function focusable(box) {
    if (box.hasAttribute("tabindex") || box.scrollWidth <= box.clientWidth) return;
    box.tabIndex = 0;
    const caption = box.querySelector("caption");
    if (caption && !box.hasAttribute("aria-label")) {
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", caption.textContent.trim());
    }
  }

  function applyWithin(root) {
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    if (root.matches(SELECTOR)) apply(root);
    root.querySelectorAll(SELECTOR).forEach(apply);
    if (root.matches(SCROLLER)) focusable(root);
    root.querySelectorAll(SCROLLER).forEach(focusable);
  }

  function init() {
    applyWithin(document.documentElement);
    new MutationObserver((mutations) => {
      for (const mutation of mutations) mutation.addedNodes.forEach(applyWithin);
    }).observe(document.documentElement, { childList: true, subtree: true });
  }

  document.addEventListener("contextmenu", (event) => {
    if (event.target instanceof Element && event.target.closest("[data-no-context-menu]")) {
      event.preventDefault();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
