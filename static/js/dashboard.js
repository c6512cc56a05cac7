// Dashboard: queue counts (live from the SSE `queue:status` event, polled every few seconds
// while the stream is not open), worker state, library statistics, the model suite and the
// detailed health report.

import { api } from "./app.js";
import { duration } from "./dom.js";
import { followJob, openStream } from "./events.js";

const root = document.getElementById("dashboard");
const urls = {
  depth: root.dataset.depthUrl,
  workers: root.dataset.workersUrl,
  stats: root.dataset.statsUrl,
  info: root.dataset.infoUrl,
};
const POLL_MS = Number(root.dataset.pollMs) || 5000;
const RECOUNT_MS = 2000;
const RESYNC_MS = 30000; // even while the stream is open
const WORKERS_MS = 10000;
const MODELS_MS = 60000;
const HEALTH_MS = 15000;
const COUNTS = ["pending", "running", "completed", "errors"];
const NAMES_SHOWN = 4;

const $ = (selector) => root.querySelector(selector);

function show(box, message) {
  box.textContent = message || "";
  box.hidden = !message;
}

function number(value) {
  return typeof value === "number" ? value.toLocaleString() : "–";
}

// "8" and, under it, the first names ("a, b, c, d and 4 more"); every name in the tooltip.
function showNames(target, list) {
  list = list || [];
  target.textContent = list.length ? String(list.length) : "none";
  target.title = list.join(", ");
  if (!list.length) return;
  const small = document.createElement("small");
  small.className = "muted names";
  const more = list.length - NAMES_SHOWN;
  small.textContent = list.slice(0, NAMES_SHOWN).join(", ") + (more > 0 ? ` and ${more} more` : "");
  target.append(small);
}

// Queue counts ------------------------------------------------------------------------------
const queueError = $("[data-queue-error]");
const live = $("[data-live]");
let source = null;
let lastCompleted = null;

function renderCounts(counts) {
  for (const key of COUNTS) {
    const cell = $(`[data-count="${key}"]`);
    if (cell && counts[key] !== undefined) cell.textContent = number(counts[key]);
  }
  $(".counts .errors").classList.toggle("has-errors", Boolean(counts.errors));
  show(queueError, "");
  // A finished job may have added or tagged files: refresh the library figures.
  if (lastCompleted !== null && counts.completed !== lastCompleted) loadStats();
  lastCompleted = counts.completed;
}

async function loadCounts() {
  try {
    renderCounts(await api(urls.depth));
  } catch (error) {
    show(queueError, `Could not load the queue counts: ${error.message}`);
  }
}

function streamOpen() {
  return Boolean(source) && source.isOpen();
}

function showMode() {
  live.textContent = streamOpen() ? "live" : `every ${Math.round(POLL_MS / 1000)} s`;
  live.dataset.mode = streamOpen() ? "live" : "polling";
}

// `queue:status` is rate-limited at the source, so the last one of a burst can be dropped; a
// job that finishes or starts also re-reads the counts (at most every RECOUNT_MS, trailing).
const running = new Set(); // job ids seen running, so progress updates do not recount
let recountTimer = null;
let lastRecount = 0;
function recountSoon() {
  if (recountTimer) return;
  const wait = Math.max(0, lastRecount + RECOUNT_MS - Date.now());
  recountTimer = setTimeout(() => {
    recountTimer = null;
    lastRecount = Date.now();
    loadCounts();
  }, wait);
}

function connect() {
  // EventSource retries by itself; polling covers the gap (and a stream refused for good).
  source = openStream(root.dataset.eventsUrl, { onState: showMode });
  source.on("queue:status", renderCounts);
  source.on("queue:jobs", (job) => {
    if (job.status === "running") {
      if (running.has(job.id)) return; // a progress update, not a change of state
      running.add(job.id);
    } else {
      running.delete(job.id);
    }
    recountSoon();
  });
  source.on("queue:started", () => loadWorkers());
  source.on("queue:stopped", () => loadWorkers());
}

// Workers -----------------------------------------------------------------------------------
async function loadWorkers() {
  const state = $("[data-worker-state]");
  try {
    const summary = await api(urls.workers);
    const workers = (summary.details || []).flatMap((cluster) => cluster.workers || []);
    const busy = workers.filter((worker) => worker.current_job);
    state.textContent = summary.alive ? (summary.paused ? "paused" : "running") : "stopped";
    state.dataset.state = state.textContent;
    $("[data-worker-clusters]").textContent = number(summary.clusters);
    $("[data-worker-processes]").textContent = number(workers.length);
    $("[data-worker-busy]").textContent = busy.length
      ? busy.map((worker) => `${worker.component} → job ${worker.current_job}`).join(", ")
      : workers.length ? "idle" : "–";
  } catch (error) {
    state.textContent = `unavailable: ${error.message}`;
  }
}

// Library statistics ------------------------------------------------------------------------
async function loadStats() {
  const box = $("[data-library-error]");
  try {
    const stats = await api(urls.stats);
    for (const [key, value] of Object.entries(stats)) {
      const target = $(`[data-stat="${key}"]`);
      if (target) {
        target.textContent = key === "total_duration_seconds" ? duration(value) : number(value);
      }
    }
    show(box, "");
  } catch (error) {
    show(box, `Could not load the library statistics: ${error.message}`);
  }
}

// Models ------------------------------------------------------------------------------------
const MODEL_BADGES = {
  ready: "done",
  "ready with problems": "warn",
  "no usable heads": "error",
  missing: "error",
};

async function loadModels() {
  const badge = $("[data-models-status]");
  try {
    const models = (await api(urls.info)).models || {};
    badge.textContent = models.status || "unknown";
    badge.className = `badge ${MODEL_BADGES[models.status] || ""}`.trim();
    $("[data-models-directory]").textContent = models.directory || "–";
    showNames($("[data-models-embeddings]"), models.embeddings);
    showNames($("[data-models-heads]"), models.heads);
    $("[data-models-hint]").hidden = !["missing", "no usable heads"].includes(models.status);
    const problems = models.problems || [];
    $("[data-models-problems-box]").hidden = !problems.length;
    $("[data-models-problems-summary]").textContent =
      `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
    $("[data-models-problems]").replaceChildren(
      ...problems.map((problem) => {
        const li = document.createElement("li");
        li.textContent = problem;
        return li;
      }),
    );
  } catch (error) {
    badge.textContent = "unknown";
    badge.className = "badge";
    $("[data-models-directory]").textContent = `unavailable: ${error.message}`;
  }
}

// Health ------------------------------------------------------------------------------------
const card = document.getElementById("health-card");
const facts = card.querySelector("[data-health-facts]");

function row(label, value) {
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = value;
  return [dt, dd];
}

function renderHealth(health) {
  const deps = health.dependencies || {};
  const database = deps.database || {};
  const diskMb = deps.system && deps.system.disk_free_mb;
  facts.replaceChildren(
    ...row("Status", health.status),
    ...row("Version", health.version),
    ...row("Database", typeof database.connection_time_ms === "number"
      ? `${database.status} (${database.connection_time_ms} ms)`
      : database.status || "unknown"),
    ...row("Workers", deps.workers && deps.workers.alive ? "running" : "stopped"),
    ...row("Disk free", typeof diskMb === "number" ? `${Math.round(diskMb / 1024)} GiB` : "–"),
    ...row("Started", health.startup_time ? new Date(health.startup_time).toLocaleString() : "–"),
  );
}

async function loadHealth() {
  try {
    renderHealth(await api(card.dataset.healthUrl));
  } catch (error) {
    // /health/detailed answers 503 with its report when something is down: show the report.
    if (error.data && error.data.dependencies) renderHealth(error.data);
    else facts.replaceChildren(...row("Status", `unavailable: ${error.message}`));
  }
}

// Fetching a model set from here: a `models_fetch` job followed through the event stream
// (and polling), with one bar for all files and one for the file being downloaded.
const fetchForm = $("[data-models-fetch]");
const fetchBox = $("[data-fetch-progress]");

function setBar(bar, fraction) {
  bar.firstElementChild.style.width = `${Math.round(Math.min(1, fraction || 0) * 100)}%`;
}

function showFetch(job) {
  const counters = (job.progress && job.progress.counters) || job.progress || {};
  fetchBox.hidden = false;
  setBar($("[data-fetch-all]"), job.status === "done" ? 1 : job.progress && job.progress.fraction);
  const total = counters.file_total || 0;
  setBar($("[data-fetch-file]"), job.status === "done" ? 1 : total ? counters.file_bytes / total : 0);
  $("[data-fetch-file-name]").textContent = counters.file
    ? `File ${counters.file_number} of ${counters.files}: ${counters.file}`
    : "Starting…";
  const message = job.error_message || (job.progress && job.progress.message) || job.status;
  $("[data-fetch-message]").textContent = message;
}

fetchForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  show($("[data-fetch-error]"), "");
  try {
    const queued = await api(root.dataset.fetchUrl, {
      method: "POST",
      body: { model_set: fetchForm.elements.model_set.value },
    });
    fetchForm.querySelector("button").disabled = true;
    $("[data-fetch-message]").textContent = queued.message;
    followJob(source, queued.job_id, `${root.dataset.jobStatusUrl}${queued.job_id}`, {
      onUpdate: showFetch,
      onFinish(job) {
        fetchForm.querySelector("button").disabled = false;
        showFetch(job);
        loadModels();
      },
      onError: (error) => show($("[data-fetch-error]"), error.message),
    });
  } catch (error) {
    show($("[data-fetch-error]"), error.message);
  }
});

connect();
showMode();
loadCounts();
loadWorkers();
loadStats();
loadModels();
loadHealth();
let lastPoll = Date.now();
setInterval(() => {
  if (!streamOpen() || Date.now() - lastPoll >= RESYNC_MS) {
    lastPoll = Date.now();
    loadCounts();
  }
  showMode();
}, POLL_MS);
setInterval(loadWorkers, WORKERS_MS);
setInterval(loadModels, MODELS_MS);
setInterval(loadHealth, HEALTH_MS);
