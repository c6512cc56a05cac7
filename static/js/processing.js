// Processing page: browse a library's folders, pick files and folders (or paste paths), queue
// them for tagging and follow the jobs until they finish. Live by the event stream (queue:jobs)
// and by polling each unfinished job every 1.5 s, so it also works without the stream.

import { api } from "./app.js";
import { el } from "./dom.js";
import { FINISHED, isFinished, openStream } from "./events.js";

const root = document.getElementById("processing");
const urls = {
  libraries: root.dataset.librariesUrl,
  browse: (id) => root.dataset.browseUrlTemplate.replace("{id}", id),
  process: root.dataset.processUrl,
  job: root.dataset.jobStatusUrl,
  events: root.dataset.eventsUrl,
  librariesPage: root.dataset.librariesPageUrl,
  trackPage: (id) => `${root.dataset.trackPageUrl}${id}`,
};
const PAGE_SIZE = 200;
const POLL_MS = 1500;
const POLL_BATCH = 20; // jobs re-read per tick; the rest wait for the next one

const librarySelect = root.querySelector("[data-library]");
const entriesList = root.querySelector("[data-entries]");
const crumbs = root.querySelector("[data-crumbs]");
const selectedList = root.querySelector("[data-selected]");
const options = root.querySelector("[data-options]");
const jobsBody = root.querySelector("[data-jobs]");
const errorBox = root.querySelector("[data-error]");
const noticeBox = root.querySelector("[data-notice]");

const state = {
  libraries: [],
  library: null,
  rootPath: null, // the library root as the server resolved it
  path: null,
  parent: null,
  entries: [],
  count: 0,
  selected: new Map(), // path -> "file" | "folder" | "path"
  jobs: new Map(), // id -> job
  tracks: new Map(), // file path -> track id, from the listings (links jobs to track pages)
  pollAt: 0,
  timer: null,
};

function show(box, message) {
  box.textContent = message || "";
  box.hidden = !message;
}
const showError = (message) => show(errorBox, message);
const showNotice = (message) => show(noticeBox, message);

function size(bytes) {
  if (bytes === null || bytes === undefined) return "";
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// ---- libraries and folders ----------------------------------------------------------------

async function loadLibraries() {
  const all = await api(urls.libraries);
  state.libraries = all.filter((lib) => lib.is_enabled && lib.kind === "music");
  if (!state.libraries.length) {
    librarySelect.replaceChildren(el("option", { value: "" }, "no music library"));
    librarySelect.disabled = true;
    entriesList.replaceChildren(
      el("li", { class: "muted" }, "No enabled music library yet: add one on the ",
        el("a", { href: urls.librariesPage }, "Libraries page"), "."),
    );
    return;
  }
  librarySelect.replaceChildren(
    ...state.libraries.map((lib) => el("option", { value: String(lib.id) }, lib.name)),
  );
  const preferred = state.libraries.find((lib) => lib.is_default) || state.libraries[0];
  librarySelect.value = String(preferred.id);
  await openLibrary(preferred.id);
}

async function openLibrary(id) {
  state.library = state.libraries.find((lib) => lib.id === Number(id)) || null;
  state.rootPath = null;
  if (state.library) await browse(null);
}

async function browse(path, offset = 0) {
  const params = new URLSearchParams({ limit: PAGE_SIZE, offset });
  if (path) params.set("path", path);
  try {
    const listing = await api(`${urls.browse(state.library.id)}?${params}`);
    if (listing.parent === null) state.rootPath = listing.path;
    state.path = listing.path;
    state.parent = listing.parent;
    state.count = listing.count;
    state.entries = offset ? state.entries.concat(listing.results) : listing.results;
    showError("");
    renderEntries(listing.truncated);
  } catch (error) {
    showError(`Could not open the folder: ${error.message}`);
  }
}

function renderCrumbs() {
  const parts = [el("button", { type: "button", class: "link-like" }, state.library.name)];
  parts[0].addEventListener("click", () => browse(null));
  if (state.rootPath && state.path !== state.rootPath) {
    const relative = state.path.slice(state.rootPath.length).split("/").filter(Boolean);
    let walked = state.rootPath;
    for (const name of relative) {
      walked = `${walked}/${name}`;
      const target = walked;
      const crumb = el("button", { type: "button", class: "link-like" }, name);
      crumb.addEventListener("click", () => browse(target));
      parts.push(" / ", crumb);
    }
  }
  crumbs.replaceChildren(el("span", { class: "muted" }, "Folder: "), ...parts);
}

function entryItem(entry) {
  const box = el("input", { type: "checkbox", checked: state.selected.has(entry.path) });
  box.setAttribute("aria-label", `Select ${entry.name}`);
  box.addEventListener("change", () => {
    if (box.checked) state.selected.set(entry.path, entry.kind);
    else state.selected.delete(entry.path);
    renderSelection();
  });
  if (entry.kind === "folder") {
    const open = el("button", { type: "button", class: "link-like", "data-open": entry.path },
      `${entry.name}/`);
    open.addEventListener("click", () => browse(entry.path));
    return el("li", { "data-entry": entry.kind }, box, open);
  }
  const item = el("li", { "data-entry": entry.kind },
    el("label", {}, box, el("span", {}, entry.name)),
    el("small", { class: "muted" }, size(entry.size)));
  if (entry.track_id) {
    state.tracks.set(entry.path, entry.track_id);
    item.append(el("a", { href: urls.trackPage(entry.track_id), class: "small" }, "details"));
  }
  return item;
}

function renderEntries(truncated) {
  renderCrumbs();
  root.querySelector('[data-action="up"]').disabled = state.parent === null;
  const items = state.entries.map(entryItem);
  if (!items.length) items.push(el("li", { class: "muted" }, "No folders or audio files here."));
  if (truncated) {
    items.push(el("li", { class: "muted" }, "This folder is very large; only part is listed."));
  }
  entriesList.replaceChildren(...items);
  root.querySelector('[data-action="more"]').hidden = state.entries.length >= state.count;
}

// ---- selection -------------------------------------------------------------------------------

function renderSelection() {
  const items = [...state.selected.keys()].map((path) => {
    const remove = el("button", { type: "button", title: "Remove" }, "×");
    remove.setAttribute("aria-label", `Remove ${path}`);
    remove.addEventListener("click", () => {
      state.selected.delete(path);
      renderSelection();
      renderEntries(false);
    });
    return el("li", { "data-selected-path": path }, path, remove);
  });
  selectedList.replaceChildren(...items);
  const n = state.selected.size;
  root.querySelector("[data-selected-count]").textContent =
    n ? `(${n} selected)` : "(nothing selected)";
  root.querySelector('[data-action="queue"]').disabled = n === 0;
}

function addPasted() {
  const area = root.querySelector("[data-pasted]");
  const paths = area.value.split("\n").map((line) => line.trim()).filter(Boolean);
  for (const path of paths) state.selected.set(path, "path");
  area.value = "";
  renderSelection();
}

// ---- queueing and following jobs ----------------------------------------------------------

async function queueSelection() {
  const button = root.querySelector('[data-action="queue"]');
  button.disabled = true;
  const body = {
    paths: [...state.selected.keys()],
    force: options.elements.force.checked,
    recursive: options.elements.recursive.checked,
  };
  try {
    const result = await api(urls.process, { method: "POST", body });
    showError("");
    showNotice(result.message);
    renderRefused(result.refused || []);
    for (const id of result.job_ids) {
      if (!state.jobs.has(id)) state.jobs.set(id, { id, status: "pending", kind: "", path: "" });
    }
    state.selected.clear();
    renderSelection();
    renderEntries(false);
    renderJobs();
    poll();
  } catch (error) {
    showError(error.message);
    button.disabled = false;
  }
}

function renderRefused(refused) {
  const box = root.querySelector("[data-refused]");
  box.hidden = !refused.length;
  root.querySelector("[data-refused-list]").replaceChildren(
    ...refused.map((item) => el("li", { "data-refused-path": item.path },
      el("code", {}, item.path), `: ${item.reason}`)),
  );
}

function describe(job) {
  if (job.status === "error") return `Failed: ${job.error_message || "unknown error"}`;
  if (job.status === "cancelled") return "Cancelled";
  if (job.status === "pending") return "Waiting for a worker…";
  if (job.status === "gone") return "No longer in the queue";
  const result = job.result || {};
  if (job.status === "done" && job.kind === "scan") {
    return `Scanned ${result.scanned || 0} files; queued ${result.tag_jobs_queued || 0} for tagging`;
  }
  if (job.status === "done" && job.kind === "tag" && result.status === "skipped") {
    return "Skipped: already tagged with the current version (use force to re-tag)";
  }
  if (job.status === "done" && job.kind === "tag" && result.status) {
    const written = result.written ? "tags written to the file" : "scores stored (file unchanged)";
    return `Tagged by ${result.heads || 0} models; ${written}`;
  }
  if (job.status === "done") {
    return (job.progress && job.progress.message) || result.message || "Done";
  }
  return (job.progress && job.progress.message) || "Running…";
}

function pathCell(job) {
  const trackId = state.tracks.get(job.path);
  if (job.kind !== "tag" || !trackId) return job.path || "";
  return el("a", { href: urls.trackPage(trackId) }, job.path);
}

function jobRow(job) {
  const fraction = job.progress && job.progress.fraction;
  const percent = job.status === "done" ? 100 : Math.round((fraction || 0) * 100);
  const bar = el("div", { class: "progress", title: `${percent} %`, role: "progressbar" },
    el("span"));
  bar.setAttribute("aria-valuenow", String(percent));
  bar.firstChild.style.width = `${percent}%`;
  bar.hidden = FINISHED.has(job.status) && job.status !== "done";
  return el("tr", { "data-job": String(job.id), "data-status": job.status },
    el("td", {}, String(job.id)),
    el("td", {}, job.kind || "…"),
    el("td", { class: "path" }, pathCell(job)),
    el("td", {},
      el("span", { class: `badge ${job.status}` }, job.status),
      bar,
      el("small", { class: job.status === "error" ? "error" : "muted" }, describe(job))));
}

function renderJobs() {
  root.querySelector("[data-jobs-card]").hidden = state.jobs.size === 0;
  const jobs = [...state.jobs.values()].sort((a, b) => b.id - a.id);
  jobsBody.replaceChildren(...jobs.map(jobRow));
}

function unfinished() {
  return [...state.jobs.values()].filter((job) => !FINISHED.has(job.status) && job.status !== "gone");
}

async function refreshJob(id) {
  try {
    const job = await api(`${urls.job}${id}`);
    state.jobs.set(id, job);
  } catch (error) {
    if (error.status === 404) state.jobs.set(id, { ...state.jobs.get(id), status: "gone" });
  }
}

async function poll() {
  clearTimeout(state.timer);
  const waiting = unfinished();
  if (!waiting.length) return;
  // Round-robin through a long list so every job is re-read within a few ticks.
  const start = state.pollAt % waiting.length;
  const batch = waiting.slice(start, start + POLL_BATCH);
  state.pollAt = start + batch.length;
  await Promise.all(batch.map((job) => refreshJob(job.id)));
  renderJobs();
  if (unfinished().length) state.timer = setTimeout(poll, POLL_MS);
}

function connectEvents() {
  const stream = openStream(urls.events);
  // The event's job is the object the API returns: it replaces the known state as it is.
  stream.on("queue:jobs", async (job) => {
    const known = state.jobs.get(job.id);
    if (!known) return;
    state.jobs.set(job.id, { ...known, ...job });
    if (isFinished(job)) await refreshJob(job.id); // the result is not in the event
    renderJobs();
  });
}

// ---- wiring ----------------------------------------------------------------------------------

librarySelect.addEventListener("change", () => openLibrary(librarySelect.value));
root.addEventListener("click", (event) => {
  const target = event.target.closest("button[data-action]");
  if (!target) return;
  switch (target.dataset.action) {
    case "up":
      if (state.parent) browse(state.parent);
      break;
    case "more":
      browse(state.path, state.entries.length);
      break;
    case "select-folder":
      if (state.path) state.selected.set(state.path, "folder");
      renderSelection();
      break;
    case "select-files":
      for (const entry of state.entries) {
        if (entry.kind === "file") state.selected.set(entry.path, "file");
      }
      renderSelection();
      renderEntries(false);
      break;
    case "add-pasted":
      addPasted();
      break;
    case "clear":
      state.selected.clear();
      renderSelection();
      renderEntries(false);
      break;
    case "queue":
      queueSelection();
      break;
  }
});

connectEvents();
renderSelection();
loadLibraries().catch((error) => showError(error.message));
