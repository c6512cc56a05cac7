// Queue page: counts, a paginated job list with live progress, job and queue actions, and the
// worker state. Live by the event stream (queue:status, queue:jobs, worker:*:status) and by
// polling every 2 s while unfinished jobs are on screen, so it also works without the stream.

import { api } from "./app.js";
import { duration, el } from "./dom.js";
import { openStream } from "./events.js";
import { pager } from "./pager.js";

const root = document.getElementById("queue-page");
const urls = root.dataset;
const jobUrl = (template, id) => template.replace("{id}", id);
const POLL_MS = 2000;
const state = { status: "", jobs: new Map(), paused: false, timer: null, waiting: {} };
const pages = pager({
  prev: root.querySelector('[data-action="prev"]'),
  next: root.querySelector('[data-action="next"]'),
  info: root.querySelector("[data-page-info]"),
  pageSize: 25,
  onChange: () => loadList(),
});
const tbody = root.querySelector("[data-jobs]");
const messageBox = root.querySelector("[data-message]");
const subscribed = new Set();
let events = null;

function showMessage(text) {
  messageBox.textContent = text || "";
  messageBox.hidden = !text;
}

function progressCell(job) {
  const fraction = job.progress && job.progress.fraction;
  const percent = job.status === "done" ? 100 : Math.round((fraction || 0) * 100);
  const bar = el("div", { class: "progress", title: `${percent} %` }, el("span"));
  bar.firstChild.style.width = `${percent}%`;
  // A pending job says why it waits (paused, no worker, its kind at its limit).
  const waiting = job.status === "pending" ? state.waiting[job.kind] || "" : "";
  const note = job.error_message || (job.progress && job.progress.message) || waiting;
  return el("td", { "data-label": "Progress" }, bar, el("small", { class: "muted" }, note));
}

const clockTime = (value) => (value ? new Date(value).toLocaleTimeString() : "");

// Queued, started and finished times, and how long it ran (or has been running).
function timesCell(job) {
  const lines = [`queued ${clockTime(job.created_at)}`];
  if (job.started_at) lines.push(`started ${clockTime(job.started_at)}`);
  if (job.finished_at) lines.push(`finished ${clockTime(job.finished_at)}`);
  if (job.started_at) {
    const end = job.finished_at ? new Date(job.finished_at) : new Date();
    const took = (end - new Date(job.started_at)) / 1000;
    lines.push(`${job.finished_at ? "took" : "running for"} ${duration(took)}`);
  }
  const cell = el("td", { "data-label": "Times", class: "times" });
  lines.forEach((line, index) => {
    if (index) cell.append(el("br"));
    cell.append(el("small", { class: index ? "muted" : "" }, line));
  });
  return cell;
}

// The file, linked to its track page when the job is about a track the library knows.
function fileCell(job) {
  const file = job.path || (job.kind === "sleep" ? "" : "–");
  const cell = el("td", { "data-label": "File", style: "word-break: break-all" });
  if (job.track_id) {
    cell.append(el("a", { href: jobUrl(urls.trackUrlTemplate, job.track_id) }, file));
  } else {
    cell.append(file);
  }
  return cell;
}

function actionsCell(job) {
  const cell = el("td", { class: "actions" });
  if (job.status === "error" || job.status === "cancelled") {
    cell.append(el("button", { class: "secondary", type: "button", "data-retry": job.id }, "Retry"));
  }
  if (job.status === "pending" || job.status === "running") {
    const label = job.cancel_requested ? "Cancelling…" : "Cancel";
    const button = el("button", { class: "danger", type: "button", "data-cancel": job.id }, label);
    button.disabled = Boolean(job.cancel_requested);
    cell.append(button);
  }
  return cell;
}

function jobRow(job) {
  return el(
    "tr",
    { "data-job": job.id },
    el("td", { "data-label": "#" }, String(job.id)),
    el("td", { "data-label": "Kind" }, `${job.kind} `,
      el("small", { class: "muted" }, job.priority.toLowerCase())),
    fileCell(job),
    el("td", { "data-label": "Status" }, el("span", { class: `badge ${job.status}` }, job.status)),
    timesCell(job),
    progressCell(job),
    actionsCell(job),
  );
}

function renderJobs(jobs, total) {
  state.jobs = new Map(jobs.map((job) => [job.id, job]));
  if (!jobs.length) {
    tbody.replaceChildren(el("tr", {}, el("td", { colSpan: 7, class: "muted" }, "No jobs.")));
  } else {
    tbody.replaceChildren(...jobs.map(jobRow));
  }
  pages.show(total);
}

function updateJob(job) {
  const row = tbody.querySelector(`tr[data-job="${job.id}"]`);
  if (!row || !state.jobs.has(job.id)) return false;
  const merged = Object.assign({}, state.jobs.get(job.id), job);
  state.jobs.set(job.id, merged);
  row.replaceWith(jobRow(merged));
  return true;
}

function renderCounts(counts) {
  for (const key of ["pending", "running", "completed", "errors"]) {
    const cell = root.querySelector(`[data-count="${key}"]`);
    if (cell && counts[key] !== undefined) cell.textContent = String(counts[key]);
  }
  if (counts.paused !== undefined) setPaused(counts.paused);
}

function setPaused(paused) {
  state.paused = paused;
  root.querySelector('[data-action="toggle-pause"]').textContent = paused ? "Resume" : "Pause";
}

function renderWorkers(summary) {
  setPaused(Boolean(summary.paused));
  const workers = (summary.details || []).flatMap((cluster) => cluster.workers || []);
  const busy = workers.filter((worker) => worker.current_job);
  root.querySelector("[data-worker-state]").textContent = summary.alive
    ? `${summary.paused ? "paused" : "running"} (${summary.clusters} cluster${summary.clusters === 1 ? "" : "s"})`
    : "stopped";
  root.querySelector("[data-worker-busy]").textContent = busy.length
    ? busy.map((worker) => `${worker.component} → #${worker.current_job}`).join(", ")
    : workers.length ? "idle" : "–";
  for (const worker of workers) subscribeWorker(worker.component);
}

async function loadList() {
  const params = new URLSearchParams(pages.query());
  if (state.status) params.set("status", state.status);
  try {
    const page = await api(`${urls.listUrl}?${params}`);
    state.waiting = page.waiting || {};
    renderJobs(page.jobs, page.total);
    showMessage("");
  } catch (error) {
    showMessage(`Could not load the queue: ${error.message}`);
  }
  schedulePoll();
}

async function loadCounts() {
  try {
    renderCounts(await api(urls.depthUrl));
    renderWorkers(await api(urls.workersUrl));
  } catch (error) {
    showMessage(`Could not load the queue state: ${error.message}`);
  }
}

function hasUnfinished() {
  for (const job of state.jobs.values()) {
    if (job.status === "pending" || job.status === "running") return true;
  }
  return false;
}

function schedulePoll() {
  clearTimeout(state.timer);
  if (!hasUnfinished()) return;
  state.timer = setTimeout(() => {
    loadList();
    loadCounts();
  }, POLL_MS);
}

async function act(url, body, confirmText) {
  if (confirmText && !window.confirm(confirmText)) return;
  let message = "";
  try {
    const answer = await api(url, { method: "POST", body: body || {} });
    const skipped = (answer && answer.skipped) || [];
    // A retry leaves out jobs whose work is already queued; say so rather than stay silent.
    if (skipped.length) message = `${skipped.length} not retried: ${skipped[0].reason}`;
  } catch (error) {
    message = error.message;
  }
  await Promise.all([loadList(), loadCounts()]);
  // After the refresh: a list that loads clears the message box.
  if (message) showMessage(message);
}

function subscribeWorker(component) {
  if (!events || subscribed.has(component)) return;
  subscribed.add(component);
  events.on(`${component}:status`, () => loadCounts());
}

function connectEvents() {
  events = openStream(urls.eventsUrl);
  events.on("queue:status", renderCounts);
  // The event's job is the object the list returns: it replaces the row as it is.
  events.on("queue:jobs", (job) => {
    if (!updateJob(job) && !pages.offset) loadList();
  });
  events.on("queue:started", () => setPaused(false));
  events.on("queue:stopped", () => setPaused(true));
}

root.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  if (target.dataset.retry) return act(jobUrl(urls.retryUrlTemplate, target.dataset.retry));
  if (target.dataset.cancel) return act(jobUrl(urls.cancelUrlTemplate, target.dataset.cancel));
  switch (target.dataset.action) {
    case "toggle-pause":
      return act(state.paused ? urls.resumeUrl : urls.pauseUrl);
    case "restart":
      return act(urls.restartUrl, null, "Restart the workers after running jobs finish?");
    case "retry-errors":
      return act(urls.retryAllUrl, { all_errors: true });
    case "clear-completed":
      return act(urls.clearCompletedUrl, null, "Remove all completed jobs?");
    case "clear-errors":
      return act(urls.clearErrorsUrl, null, "Remove all failed jobs?");
    case "clear-all":
      return act(urls.clearAllUrl, null, "Remove every job that is not running?");
  }
});

root.querySelector("[data-filter-status]").addEventListener("change", (event) => {
  state.status = event.target.value;
  pages.reset();
  loadList();
});

connectEvents();
loadList();
loadCounts();
setInterval(loadCounts, 10000);
