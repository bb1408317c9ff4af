// Keeps the outbox counts on the messages page up to date while it is open. Without this
// script the page still works: its "Refresh" link reloads the counts.
const POLL_MS = 5000;

const container = document.getElementById("outbox-progress");
const status = document.getElementById("outbox-status");

function clockTime(date) {
  return date.toTimeString().slice(0, 8);
}

async function refresh() {
  if (document.hidden) {
    return;
  }
  try {
    const response = await fetch(container.dataset.progressUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) {
      return;
    }
    const counts = await response.json();
    let changed = false;
    for (const cell of container.querySelectorAll("[data-outbox-count]")) {
      const [kind, state] = cell.dataset.outboxCount.split(".");
      const value = counts[kind] ? counts[kind][state] : 0;
      if (cell.textContent !== String(value)) {
        cell.textContent = String(value);
        changed = true;
      }
    }
    if (!changed) {
      return; // the status is a live region: announce changes only
    }
    const waiting = Object.values(counts).reduce((sum, entry) => sum + entry.queued, 0);
    status.firstChild.textContent =
      `Updated at ${clockTime(new Date())}: ${waiting} message${waiting === 1 ? "" : "s"} waiting. `;
  } catch {
    // Offline for a moment: the next poll tries again.
  }
}

if (container && status && window.fetch) {
  window.setInterval(refresh, POLL_MS);
}
