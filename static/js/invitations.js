// Invitations, servers and users pages: "Copy link" buttons copy their data-copy value, forms
// with data-confirm ask before they post (removing a server, deleting an invitation), and the
// table marked data-live re-reads its rows (data-rows-url, an HTML fragment) whenever a live
// event of the room `invitations` says an invitation, user or server changed, whoever changed
// it (another tab, the API, an invitee joining, the expiry job). Handlers are delegated, so
// rows read again work like the first ones.

import { openStream } from "./events.js";

export const LIVE_EVENTS = ["invitations:invitation", "invitations:user", "invitations:server"];
const SETTLE_MS = 150; // one re-read for a burst of events (a redemption on several servers)

export function wireCopyButtons(root) {
  root.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    try {
      await navigator.clipboard.writeText(button.dataset.copy);
      button.textContent = "Copied";
    } catch (error) {
      button.textContent = "Select the link and copy it";
    }
  });
}

export function wireConfirmations(root) {
  root.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

// The keys (data-key) of the rows whose <details> (the QR code) are open, to open them again.
function openDetails(body) {
  return new Set([...body.querySelectorAll("tr[data-key] details[open]")].map((d) => d.closest("tr").dataset.key));
}

function reopenDetails(body, keys) {
  for (const row of body.querySelectorAll("tr[data-key]")) {
    const details = row.querySelector("details");
    if (details && keys.has(row.dataset.key)) details.open = true;
  }
}

// Re-read the rows of `live` (its data-rows-url) into its [data-rows] body. While the person is
// typing in a row (an extend form), the re-read waits until the focus leaves the table.
export function liveRows(live, { stream = null } = {}) {
  const body = live.querySelector("[data-rows]");
  const url = live.dataset.rowsUrl;
  let timer = null;
  let reading = false;
  let again = false;

  async function read() {
    if (reading) {
      again = true;
      return;
    }
    const focused = document.activeElement;
    if (focused && focused !== body && body.contains(focused)) {
      body.addEventListener("focusout", schedule, { once: true });
      return;
    }
    reading = true;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      // A lost session redirects to the login page: keep the rows rather than show that.
      if (response.ok && !response.redirected) {
        const html = await response.text();
        const open = openDetails(body);
        body.innerHTML = html;
        reopenDetails(body, open);
        live.dispatchEvent(new CustomEvent("rows-updated"));
      }
    } catch (error) {
      // the server is unreachable for a moment: the next event reads again
    }
    reading = false;
    if (again) {
      again = false;
      schedule();
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(read, SETTLE_MS);
  }

  let opened = false;
  const events =
    stream ||
    openStream(live.dataset.eventsUrl, {
      // After a reconnect, read again: events are notifications, the rows are the state.
      onState: (state) => {
        live.dataset.streamState = state; // open, connecting or closed (also for tests)
        if (state !== "open") return;
        if (opened) schedule();
        opened = true;
      },
    });
  for (const name of LIVE_EVENTS) events.on(name, schedule);
  return { refresh: schedule, stream: events };
}

wireCopyButtons(document);
wireConfirmations(document);
for (const live of document.querySelectorAll("[data-live]")) liveRows(live);
