// Imports page: the import queue and its history (a page at a time, filtered by status), each
// item with its outcome. Kept live by the `queue:jobs` events of import jobs, and by polling
// while an item is still pending or running (so the page works without the stream).

import { api } from "./app.js";
import { el } from "./dom.js";
import { openStream } from "./events.js";
import { pager } from "./pager.js";

const page = document.getElementById("imports");
const listUrl = page.dataset.listUrl;
const rows = page.querySelector("[data-rows]");
const statusBox = page.querySelector("[data-status]");
const errorBox = page.querySelector("[data-error]");
const state = { request: 0, poll: null, soon: null };
const pages = pager({
  prev: page.querySelector("[data-prev]"),
  next: page.querySelector("[data-next]"),
  info: page.querySelector("[data-info]"),
  pageSize: Number(page.dataset.pageSize) || 50,
  onChange: () => load(),
});
const POLL_MS = 3000;

const BADGES = {
  pending: "warn",
  running: "running",
  imported: "done",
  handed_over: "done",
  failed: "error",
  cancelled: "cancelled",
};
const LABELS = { handed_over: "handed over" };

function show(box, message) {
  box.textContent = message || "";
  box.hidden = !message;
}

function outcome(item) {
  const parts = [];
  if (item.message) parts.push(el("div", {}, item.message));
  if (item.destination) parts.push(el("div", { class: "muted" }, `→ ${item.destination}`));
  if (item.downloader_id && !item.message.includes(item.downloader_id)) {
    parts.push(el("div", { class: "muted" }, `id ${item.downloader_id}`));
  }
  return parts.length ? parts : [el("span", { class: "muted" }, "–")];
}

function itemRow(item) {
  const badge = el("span", { class: `badge ${BADGES[item.status] || ""}` },
    LABELS[item.status] || item.status);
  return el(
    "tr",
    { "data-item": String(item.id), "data-status": item.status },
    el("td", { "data-label": "ID" }, String(item.id)),
    el("td", { "data-label": "File" }, item.file_path),
    el("td", { "data-label": "Kind" }, item.kind),
    el("td", { "data-label": "Status" }, badge),
    el("td", { "data-label": "Outcome" }, ...outcome(item)),
    el("td", { "data-label": "Added" }, new Date(item.created_at).toLocaleString()),
  );
}

async function load() {
  const request = ++state.request;
  const query = new URLSearchParams(pages.query());
  if (statusBox.value) query.set("status", statusBox.value);
  try {
    const body = await api(`${listUrl}?${query}`);
    if (request !== state.request) return;
    show(errorBox, "");
    const items = body.results.map(itemRow);
    rows.replaceChildren(
      ...(items.length
        ? items
        : [el("tr", {}, el("td", { colspan: "6", class: "muted" }, "Nothing imported yet."))]),
    );
    pages.show(body.count);
    const unfinished = body.results.some((item) => item.status === "pending" || item.status === "running");
    clearTimeout(state.poll);
    if (unfinished) state.poll = setTimeout(load, POLL_MS);
  } catch (error) {
    if (request === state.request) show(errorBox, `Could not load the imports: ${error.message}`);
  }
}

// Several job events arrive together: reload once for them.
function loadSoon() {
  clearTimeout(state.soon);
  state.soon = setTimeout(load, 200);
}

statusBox.addEventListener("change", () => {
  pages.reset();
  load();
});
page.querySelector("[data-filter-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});

const stream = openStream(page.dataset.eventsUrl);
stream.on("queue:jobs", (job) => {
  if (job.kind === "import") loadSoon();
});
load();
