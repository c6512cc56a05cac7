// Downloads page: the episode download queue (read from the page's data-status-url) with live
// progress bars (`download:progress` events of the downloads room), drag-to-reorder of the waiting items
// (with up/down buttons for keyboards and phones), start/stop, retry, remove and clear.
// Every other download event re-reads the queue; without the stream, the page polls.

import { api } from "./app.js";
import { duration, el } from "./dom.js";
import { openStream } from "./events.js";

const page = document.getElementById("downloads");
const urls = {
  status: page.dataset.statusUrl,
  start: page.dataset.startUrl,
  stop: page.dataset.stopUrl,
  reorder: page.dataset.reorderUrl,
  retry: page.dataset.retryUrl,
  item: page.dataset.itemUrl,
  clear: page.dataset.clearUrl,
};
const lists = {};
for (const list of page.querySelectorAll("[data-list]")) lists[list.dataset.list] = list;
const empties = {};
for (const note of page.querySelectorAll("[data-empty]")) empties[note.dataset.empty] = note;
const errorBox = page.querySelector("[data-error]");
const noticeBox = page.querySelector("[data-notice]");
const stateBadge = page.querySelector("[data-state]");
const stateNote = page.querySelector("[data-state-note]");
const statsBox = page.querySelector("[data-stats]");
const POLL_MS = 5000;
const state = { pendingCount: 0, reloadTimer: null, loading: false, again: false };

function show(box, message) {
  box.textContent = message || "";
  box.hidden = !message;
}

function episodeCode(item) {
  const pad = (n) => String(n).padStart(2, "0");
  return `S${pad(item.episode.season)}E${pad(item.episode.episode)}`;
}

function progressText(progress) {
  if (!progress) return "starting…";
  const parts = [];
  parts.push(progress.total_mb ? `${progress.downloaded_mb} of ${progress.total_mb} MiB` : `${progress.downloaded_mb} MiB`);
  if (progress.speed_mbps) parts.push(`${progress.speed_mbps} MiB/s`);
  if (progress.eta_seconds !== null && progress.eta_seconds !== undefined) parts.push(`${duration(progress.eta_seconds)} left`);
  return parts.join(" · ");
}

function progressBar(item) {
  const percent = item.progress && item.progress.percent !== null ? item.progress.percent : 0;
  const bar = el("div", {
    class: "progress",
    role: "progressbar",
    "aria-valuemin": "0",
    "aria-valuemax": "100",
    "aria-valuenow": String(percent),
    "aria-label": `${item.serie_name} ${episodeCode(item)}`,
    "data-bar": "",
  });
  const fill = el("span");
  fill.style.width = `${percent}%`;
  bar.append(fill);
  return el("div", { class: "bar" }, bar, el("span", { class: "muted", "data-progress-text": "" }, progressText(item.progress)));
}

function button(label, action, item, extra = {}) {
  return el("button", Object.assign({ type: "button", class: "secondary", "data-action": action, "data-id": item.id }, extra), label);
}

function itemRow(item, which, index, count) {
  const title = item.episode.title ? ` – ${item.episode.title}` : "";
  const what = el("span", { class: "what" }, el("strong", {}, item.serie_name), ` ${episodeCode(item)}${title}`);
  const badge = el("span", { class: `badge ${item.status}`, "data-status": "" }, item.status);
  const actions = el("span", { class: "actions" });
  if (which === "pending") {
    actions.append(
      button("Up", "up", item, { disabled: index === 0, "aria-label": `Move ${item.serie_name} ${episodeCode(item)} up` }),
      button("Down", "down", item, { disabled: index === count - 1, "aria-label": `Move ${item.serie_name} ${episodeCode(item)} down` }),
    );
  }
  if (which === "failed") actions.append(button("Retry", "retry", item));
  actions.append(button(which === "active" ? "Cancel" : "Remove", "remove", item));
  const row = el("li", { "data-id": item.id }, what, badge, actions);
  if (which === "active") row.append(progressBar(item));
  if (item.error) row.append(el("span", { class: "muted what" }, item.error));
  if (which === "pending" && state.pendingCount === count) {
    row.draggable = true;
  }
  return row;
}

function renderStats(status, statistics) {
  const running = status.is_running;
  stateBadge.textContent = running ? (status.is_paused ? "workers paused" : "running") : "stopped";
  stateBadge.className = `badge ${running && !status.is_paused ? "running" : "warn"}`;
  stateNote.textContent = running
    ? status.is_paused
      ? "The download queue is started, but every worker is paused."
      : "Waiting downloads start as workers are free."
    : "Stopped: waiting downloads do not start; a running one finishes.";
  const facts = [
    ["Waiting", statistics.pending_count],
    ["Downloading", statistics.active_count],
    ["Completed", statistics.completed_count],
    ["Failed", statistics.failed_count],
    ["Downloaded", `${statistics.total_downloaded_mb} MiB`],
    ["Speed", `${statistics.average_speed_mbps} MiB/s`],
    ["Time left", statistics.estimated_time_remaining === null ? "unknown" : duration(statistics.estimated_time_remaining)],
  ];
  statsBox.replaceChildren(...facts.flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, String(value))]));
}

function render(body) {
  const { status, statistics } = body;
  state.pendingCount = statistics.pending_count;
  renderStats(status, statistics);
  const groups = {
    active: status.active_downloads,
    pending: status.pending_queue,
    failed: status.failed_downloads,
    completed: status.completed_downloads,
  };
  for (const [which, entries] of Object.entries(groups)) {
    lists[which].replaceChildren(...entries.map((item, index) => itemRow(item, which, index, entries.length)));
    empties[which].hidden = entries.length > 0;
  }
  if (statistics.pending_count > groups.pending.length) {
    show(noticeBox, `Showing the first ${groups.pending.length} of ${statistics.pending_count} waiting downloads; reordering needs them all on the page.`);
  }
}

async function load() {
  if (state.loading) {
    state.again = true;
    return;
  }
  state.loading = true;
  try {
    render(await api(urls.status));
    show(errorBox, "");
  } catch (error) {
    show(errorBox, `Could not read the download queue: ${error.message}`);
  } finally {
    state.loading = false;
    if (state.again) {
      state.again = false;
      load();
    }
  }
}

function reloadSoon() {
  clearTimeout(state.reloadTimer);
  state.reloadTimer = setTimeout(load, 250);
}

async function act(work, done) {
  show(errorBox, "");
  try {
    const body = await work();
    show(noticeBox, done || (body && body.message) || "");
  } catch (error) {
    show(errorBox, error.message);
  }
  load();
}

function pendingOrder() {
  return [...lists.pending.querySelectorAll("li[data-id]")].map((row) => row.dataset.id);
}

function sendOrder(order) {
  return act(() => api(urls.reorder, { method: "POST", body: { item_ids: order } }));
}

function move(id, step) {
  const order = pendingOrder();
  const from = order.indexOf(id);
  const to = from + step;
  if (from < 0 || to < 0 || to >= order.length) return;
  order.splice(to, 0, order.splice(from, 1)[0]);
  sendOrder(order).then(() => {
    const target = lists.pending.querySelector(`li[data-id="${id}"] [data-action="${step < 0 ? "up" : "down"}"]`);
    if (target && !target.disabled) target.focus();
  });
}

page.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  if (target.matches("[data-start]")) act(() => api(urls.start, { method: "POST" }));
  else if (target.matches("[data-stop]")) act(() => api(urls.stop, { method: "POST" }));
  else if (target.matches("[data-retry-all]")) act(() => api(urls.retry, { method: "POST", body: { item_ids: [] } }));
  else if (target.dataset.clear) act(() => api(`${urls.clear}${target.dataset.clear}`, { method: "DELETE" }));
  else if (target.dataset.action === "up") move(target.dataset.id, -1);
  else if (target.dataset.action === "down") move(target.dataset.id, 1);
  else if (target.dataset.action === "retry") act(() => api(urls.retry, { method: "POST", body: { item_ids: [target.dataset.id] } }));
  else if (target.dataset.action === "remove") act(() => api(`${urls.item}${target.dataset.id}`, { method: "DELETE" }), "Removed from the download queue.");
});

// Drag and drop within the waiting list: the dragged row is dropped before the row under it.
let dragged = null;
lists.pending.addEventListener("dragstart", (event) => {
  dragged = event.target.closest("li[data-id]");
  if (!dragged) return;
  dragged.classList.add("dragging");
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", dragged.dataset.id);
});
lists.pending.addEventListener("dragover", (event) => {
  const over = event.target.closest("li[data-id]");
  if (!dragged || !over) return;
  event.preventDefault();
  for (const row of lists.pending.querySelectorAll(".drop-target")) row.classList.remove("drop-target");
  if (over !== dragged) over.classList.add("drop-target");
});
lists.pending.addEventListener("drop", (event) => {
  event.preventDefault();
  const over = event.target.closest("li[data-id]");
  if (!dragged || !over || over === dragged) return;
  const order = pendingOrder().filter((id) => id !== dragged.dataset.id);
  order.splice(order.indexOf(over.dataset.id), 0, dragged.dataset.id);
  sendOrder(order);
});
lists.pending.addEventListener("dragend", () => {
  if (dragged) dragged.classList.remove("dragging");
  for (const row of lists.pending.querySelectorAll(".drop-target")) row.classList.remove("drop-target");
  dragged = null;
});

function showProgress(data) {
  const row = lists.active.querySelector(`li[data-id="${data.download_id}"]`);
  if (!row) {
    reloadSoon();
    return;
  }
  const bar = row.querySelector("[data-bar]");
  const percent = data.percent === null ? 0 : data.percent;
  bar.setAttribute("aria-valuenow", String(percent));
  bar.firstElementChild.style.width = `${percent}%`;
  row.querySelector("[data-progress-text]").textContent = progressText(data);
}

const stream = openStream(page.dataset.eventsUrl);
stream.on("download:progress", showProgress);
for (const name of ["added", "removed", "complete", "failed", "queue_started", "queue_stopped", "queue_status"]) {
  stream.on(`download:${name}`, reloadSoon);
}
setInterval(() => {
  if (!stream.isOpen() && !document.hidden) load();
}, POLL_MS);
load();
