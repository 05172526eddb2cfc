// Drag a bar of the machine Gantt to another time or machine. On release the new
// machine, day and start time go to the bar's move URL (the same form the keyboard
// path uses); the server answers with the plan re-checked, conflicts flagged. The last
// drag can be undone: the button posts the bar's previous machine, day and time.
(function () {
  "use strict";

  const SNAP_MINUTES = 10;
  const DRAG_THRESHOLD_PX = 4;

  function minutesOf(clock) {
    const [hours, minutes] = clock.split(":").map(Number);
    return hours * 60 + minutes;
  }

  function clockOf(total) {
    const hours = String(Math.floor(total / 60)).padStart(2, "0");
    const minutes = String(total % 60).padStart(2, "0");
    return hours + ":" + minutes;
  }

  // Where a bar's left edge lands: machine row, working day and start time.
  function target(gantt, bar, clientX, clientY, grabOffset) {
    const row = document
      .elementsFromPoint(clientX, clientY)
      .map((element) => element.closest("[data-machine]"))
      .find((element) => element && gantt.contains(element));
    if (!row) return null;
    const track = row.querySelector("[data-track]").getBoundingClientRect();
    const days = gantt.dataset.days.split(",");
    const opening = minutesOf(gantt.dataset.dayStart);
    const dayLength = minutesOf(gantt.dataset.dayEnd) - opening;
    const position = ((clientX - grabOffset - track.left) / track.width) * days.length;
    // Snap on the working-time axis first, so that the very end of a day is the start
    // of the next working day rather than a start at closing time.
    const axisMinutes = Math.round((position * dayLength) / SNAP_MINUTES) * SNAP_MINUTES;
    const dayIndex = Math.min(days.length - 1, Math.max(0, Math.floor(axisMinutes / dayLength)));
    const offset = Math.max(0, Math.min(dayLength, axisMinutes - dayIndex * dayLength));
    return { machine: row.dataset.machine, day: days[dayIndex], time: clockOf(opening + offset) };
  }

  let lastMove = null;

  // Send a move (machine, day, time) to a bar's move URL and put the re-checked plan in.
  function post(url, place) {
    const input = document.querySelector("[name=csrfmiddlewaretoken]");
    const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    const token = input ? input.value : headers["X-CSRFToken"] || "";
    return fetch(url, {
      method: "POST",
      headers: {
        "HX-Request": "true",
        "X-CSRFToken": token,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(place),
      credentials: "same-origin",
    })
      .then((response) => response.text())
      .then((html) => {
        document.getElementById("plan-body").outerHTML = html;
      });
  }

  function showUndo() {
    const undo = document.querySelector("[data-gantt-undo]");
    if (undo) undo.hidden = lastMove === null;
  }

  function undo(event) {
    const button = event.target.closest("[data-gantt-undo] button");
    if (!button || lastMove === null) return;
    const move = lastMove;
    lastMove = null;
    button.disabled = true;
    post(move.url, { machine: move.machine, day: move.day, time: move.time }).then(() => {
      showUndo();
      document.dispatchEvent(new CustomEvent("gantt:undone", { detail: move }));
    });
  }

  function start(event) {
    const bar = event.target.closest("[data-move-url]");
    const gantt = bar && bar.closest("[data-gantt]");
    if (!gantt || event.button !== 0) return;
    const grabOffset = event.clientX - bar.getBoundingClientRect().left;
    const origin = { x: event.clientX, y: event.clientY };
    let dragging = false;

    function move(moveEvent) {
      const dx = moveEvent.clientX - origin.x;
      const dy = moveEvent.clientY - origin.y;
      if (!dragging && Math.hypot(dx, dy) < DRAG_THRESHOLD_PX) return;
      dragging = true;
      bar.style.transform = "translate(" + dx + "px, " + dy + "px)";
      bar.style.zIndex = "10";
      bar.style.opacity = "0.8";
    }

    function end(upEvent) {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", end);
      if (!dragging) return; // a click: the link opens the move form
      bar.addEventListener("click", (click) => click.preventDefault(), { once: true });
      bar.style.visibility = "hidden";
      const place = target(gantt, bar, upEvent.clientX, upEvent.clientY, grabOffset);
      bar.style.visibility = "";
      if (!place) {
        bar.style.transform = "";
        return;
      }
      // Where the bar was, for 「最後の移動を元に戻す」: the same form, the old values.
      lastMove = {
        url: bar.dataset.moveUrl,
        machine: bar.dataset.fromMachine,
        day: bar.dataset.fromDay,
        time: bar.dataset.fromTime,
      };
      post(bar.dataset.moveUrl, place).then(() => {
        showUndo();
        document.dispatchEvent(new CustomEvent("gantt:moved", { detail: place }));
      });
    }

    event.preventDefault();
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", end);
  }

  document.addEventListener("pointerdown", start);
  document.addEventListener("click", undo);
})();
