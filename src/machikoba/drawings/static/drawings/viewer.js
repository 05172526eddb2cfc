// The drawing viewer: page through a revision's preview images, zoom and pan (drag with a
// finger or the mouse). An Alpine component for Alpine's CSP build: the template names
// properties and methods only, so no expression is evaluated from HTML.
document.addEventListener("alpine:init", () => {
  "use strict";

  const MAX_ZOOM = 4;
  const ZOOM_STEP = 1.5;
  // Past this zoom the larger rendering of the page is loaded.
  const LARGE_IMAGE_FROM = 1.4;

  window.Alpine.data("drawingViewer", () => ({
    page: 1,
    pages: 1,
    zoom: 1,
    x: 0,
    y: 0,
    dragging: false,
    startX: 0,
    startY: 0,

    init() {
      this.pages = Number(this.$el.dataset.pages) || 1;
    },

    get atFirst() {
      return this.page <= 1;
    },

    get atLast() {
      return this.page >= this.pages;
    },

    recenter() {
      this.x = 0;
      this.y = 0;
    },

    previous() {
      this.page = Math.max(1, this.page - 1);
      this.recenter();
    },

    next() {
      this.page = Math.min(this.pages, this.page + 1);
      this.recenter();
    },

    zoomIn() {
      this.zoom = Math.min(MAX_ZOOM, this.zoom * ZOOM_STEP);
    },

    zoomOut() {
      this.zoom = Math.max(1, this.zoom / ZOOM_STEP);
      if (this.zoom === 1) this.recenter();
    },

    stopDragging() {
      this.dragging = false;
    },

    // The frame around the images: takes the drag gestures.
    frame: {
      [":style"]() {
        return { touchAction: this.zoom > 1 ? "none" : "auto" };
      },
      ["@pointerdown"](event) {
        this.dragging = true;
        this.startX = event.clientX - this.x;
        this.startY = event.clientY - this.y;
      },
      ["@pointermove"](event) {
        if (this.dragging && this.zoom > 1) {
          this.x = event.clientX - this.startX;
          this.y = event.clientY - this.startY;
        }
      },
      ["@pointerup"]() {
        this.stopDragging();
      },
      ["@pointercancel"]() {
        this.stopDragging();
      },
      ["@pointerleave"]() {
        this.stopDragging();
      },
    },

    // One page image: shown when it is the current page, moved and scaled with the view.
    pageImage: {
      ["x-show"]() {
        return this.page === Number(this.$el.dataset.page);
      },
      [":style"]() {
        return {
          transform: `translate(${this.x}px, ${this.y}px) scale(${this.zoom})`,
          cursor: this.zoom > 1 ? "grab" : "default",
        };
      },
      [":src"]() {
        return this.zoom > LARGE_IMAGE_FROM ? this.$el.dataset.zoomSrc : this.$el.dataset.src;
      },
    },
  }));
});
