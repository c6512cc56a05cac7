// Libraries page: list, add/edit, enable/disable, delete (after confirmation), scans with a
// live progress bar (library events over SSE, plus polling the job while it runs), stats, and
// the selected library's tracks (searchable, paginated, each linking to its track page).

import { api } from "./app.js";
import { duration, showFormErrors } from "./dom.js";
import { attachFolderPicker } from "./folder_picker.js";
import { followJob, openStream } from "./events.js";

const page = document.getElementById("libraries");
const urls = {
  list: page.dataset.librariesUrl,
  stats: page.dataset.statsUrl,
  job: page.dataset.jobStatusUrl,
};
const rows = page.querySelector("[data-rows]");
const form = page.querySelector("[data-library-form]");
const scanOptions = page.querySelector("[data-scan-options]");
const errorBox = page.querySelector("[data-error]");
const noticeBox = page.querySelector("[data-notice]");
const scans = new Map(); // library id -> {jobId, following}
// Scan progress (`scan:progress`) and job changes (`queue:jobs`); followJob polls as well.
const stream = openStream(page.dataset.eventsUrl);

function show(box, message) {
  box.textContent = message || "";
  box.hidden = !message;
}
const showError = (message) => show(errorBox, message);
const showNotice = (message) => show(noticeBox, message);

// `label` names the column for the stacked phone-width layout (app.css `.stack-table`).
function cell(text, label) {
  const td = document.createElement("td");
  td.textContent = text;
  if (label) td.dataset.label = label;
  return td;
}

function button(label, className, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  if (className) b.className = className;
  b.addEventListener("click", onClick);
  return b;
}

// One track's length as a clock: "0:04", "3:25", "1:02:03".
function clock(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return "–";
  const total = Math.max(0, Math.round(Number(seconds)));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

async function loadStats() {
  const stats = await api(urls.stats);
  for (const [key, value] of Object.entries(stats)) {
    const target = page.querySelector(`[data-stat="${key}"]`);
    if (target) {
      target.textContent = key === "total_duration_seconds" ? duration(value) : value.toLocaleString();
    }
  }
}

function scanCell(library) {
  const td = document.createElement("td");
  td.dataset.scanFor = library.id;
  const bar = document.createElement("div");
  bar.className = "progress";
  bar.hidden = true;
  bar.append(document.createElement("span"));
  const text = document.createElement("small");
  text.className = "muted";
  text.textContent = lastScanText(library.last_scan);
  td.append(bar, text);
  td.dataset.label = "Scan";
  return td;
}

function setProgress(libraryId, fraction, message) {
  const td = rows.querySelector(`[data-scan-for="${libraryId}"]`);
  if (!td) return;
  const bar = td.querySelector(".progress");
  bar.hidden = fraction === null;
  if (fraction !== null) bar.firstElementChild.style.width = `${Math.round(fraction * 100)}%`;
  td.querySelector("small").textContent = message || "";
}

function row(library) {
  const tr = document.createElement("tr");
  tr.dataset.libraryId = library.id;
  const state = `${library.is_enabled ? "enabled" : "disabled"}${library.is_default ? ", default" : ""}`;
  const actions = document.createElement("td");
  const scan = button("Scan", "", () => startScan(library));
  scan.disabled = !library.is_enabled;
  actions.append(
    scan,
    button("Tracks", "secondary", () => {
      selectLibrary(library.id);
      tracksSection.scrollIntoView({ behavior: "smooth", block: "start" });
    }),
    button("Edit", "secondary", () => edit(library)),
    button(library.is_enabled ? "Disable" : "Enable", "secondary", () =>
      update(library.id, { is_enabled: !library.is_enabled }),
    ),
    button("Delete", "danger", () => remove(library)),
  );
  actions.className = "actions";
  tr.append(cell(library.name, "Name"), cell(library.root_path, "Folder"),
    cell(library.kind, "Kind"), cell(state, "State"), filesCell(library), scanCell(library),
    actions);
  return tr;
}

// "1,204 files, 1,180 tagged" for people.
function filesCell(library) {
  const count = (n) => Number(n || 0).toLocaleString();
  const files = `${count(library.file_count)} file${library.file_count === 1 ? "" : "s"}`;
  const td = cell(`${files}, ${count(library.tagged_count)} tagged`, "Files");
  td.dataset.filesFor = library.id;
  return td;
}

// The latest scan in words: "scanned 30 Nov, 07:12 (done)", "scan running", "never scanned".
function lastScanText(scan) {
  if (!scan) return "never scanned";
  if (scan.status === "pending") return "scan queued";
  if (scan.status === "running") return "scan running";
  const when = new Date(scan.at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  const outcome = scan.status === "done" ? "" : ` (${scan.status === "error" ? "failed" : scan.status})`;
  return `scanned ${when}${outcome}`;
}

async function load() {
  const libraries = await api(urls.list);
  if (!libraries.length) {
    const tr = document.createElement("tr");
    const td = cell("No libraries yet: add your music folder below.");
    td.colSpan = 7;
    tr.append(td);
    rows.replaceChildren(tr);
    setTrackLibraries([]);
    return;
  }
  rows.replaceChildren(...libraries.map(row));
  setTrackLibraries(libraries);
}

async function refresh() {
  await Promise.all([load(), loadStats()]);
}

async function update(id, body) {
  try {
    await api(`${urls.list}/${id}`, { method: "PATCH", body });
    showError("");
    await refresh();
  } catch (error) {
    showError(error.message);
  }
}

async function remove(library) {
  const question = `Delete the library "${library.name}"? Nomarr forgets its tracks and scores; ` +
    "the files in the folder are not touched.";
  if (!window.confirm(question)) return;
  try {
    const result = await api(`${urls.list}/${library.id}?confirm=true`, {
      method: "DELETE",
    });
    showError("");
    showNotice(result.message);
    await refresh();
  } catch (error) {
    showError(error.message);
  }
}

function edit(library) {
  form.elements.id.value = library.id;
  form.elements.name.value = library.name;
  form.elements.root_path.value = library.root_path;
  form.elements.kind.value = library.kind;
  form.elements.is_enabled.checked = library.is_enabled;
  form.elements.is_default.checked = library.is_default;
  page.querySelector("[data-form-title]").textContent = `Edit "${library.name}"`;
  form.querySelector("[data-submit]").textContent = "Save";
  form.querySelector("[data-cancel-edit]").hidden = false;
  form.elements.name.focus();
}

function resetForm() {
  form.reset();
  showFormErrors(form, null);
  form.elements.id.value = "";
  page.querySelector("[data-form-title]").textContent = "Add a library";
  form.querySelector("[data-submit]").textContent = "Add library";
  form.querySelector("[data-cancel-edit]").hidden = true;
}

form.querySelector("[data-cancel-edit]").addEventListener("click", resetForm);
attachFolderPicker(form.elements.root_path, page.dataset.foldersUrl);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = form.elements.id.value;
  const body = {
    name: form.elements.name.value.trim(),
    root_path: form.elements.root_path.value.trim(),
    kind: form.elements.kind.value,
    is_enabled: form.elements.is_enabled.checked,
    is_default: form.elements.is_default.checked,
  };
  try {
    await api(id ? `${urls.list}/${id}` : urls.list, {
      method: id ? "PATCH" : "POST",
      body,
    });
    showError("");
    showFormErrors(form, null);
    resetForm();
    await refresh();
  } catch (error) {
    // A message about one field sits next to it; the box keeps the sentence for screen readers
    // and for errors about no single field.
    showFormErrors(form, error);
    showError(error.message);
  }
});

async function startScan(library) {
  const body = {
    recursive: true,
    clean_missing: scanOptions.elements.clean_missing.checked,
    force: scanOptions.elements.force.checked,
  };
  try {
    const result = await api(`${urls.list}/${library.id}/scan`, {
      method: "POST",
      body,
    });
    showError("");
    setProgress(library.id, 0, result.message);
    follow(library.id, result.job_id);
  } catch (error) {
    showError(error.message);
  }
}

function describe(job) {
  const counters = (job.progress && job.progress.counters) || {};
  if (job.status === "done") {
    const parts = ["added", "updated", "moved", "removed", "errors"]
      .filter((key) => counters[key])
      .map((key) => `${counters[key]} ${key}`);
    return `Done: ${counters.scanned || 0} files${parts.length ? ` (${parts.join(", ")})` : ""}`;
  }
  if (job.status === "error") return `Failed: ${job.error_message || "unknown error"}`;
  if (job.status === "pending") return "Waiting for a worker…";
  return (job.progress && job.progress.message) || job.status;
}

function follow(libraryId, jobId) {
  stop(libraryId);
  const following = followJob(stream, jobId, `${urls.job}${jobId}`, {
    pollMs: 1000,
    onUpdate(job) {
      const fraction = job.status === "done" ? 1 : (job.progress && job.progress.fraction) || 0;
      setProgress(libraryId, fraction, describe(job));
    },
    onFinish() {
      scans.delete(libraryId);
      // The row's file counts and last scan, and the totals, as the scan left them.
      refresh().catch((error) => showError(error.message));
      if (libraryId === tracks.libraryId) loadTracks();
    },
    onError(error) {
      // No queue status endpoint (or the job was cleared): keep the page usable.
      stop(libraryId);
      setProgress(libraryId, null, error.status === 404
        ? `Scan queued as job ${jobId}; see the queue page for its progress.`
        : `Could not follow the scan: ${error.message}`);
    },
  });
  scans.set(libraryId, { jobId, following });
}

function stop(libraryId) {
  const scan = scans.get(libraryId);
  if (scan) scan.following.stop();
  scans.delete(libraryId);
}

// Tracks of the selected library: searchable, a page at a time, each row opening the track page.
const tracksSection = page.querySelector("[data-tracks]");
const tracksForm = tracksSection.querySelector("[data-tracks-form]");
const tracksLibrary = tracksSection.querySelector("[data-tracks-library]");
const tracksSearch = tracksSection.querySelector("[data-tracks-search]");
const trackRows = tracksSection.querySelector("[data-track-rows]");
const tracksInfo = tracksSection.querySelector("[data-tracks-info]");
const tracksPrev = tracksSection.querySelector("[data-tracks-prev]");
const tracksNext = tracksSection.querySelector("[data-tracks-next]");
const tracksError = tracksSection.querySelector("[data-tracks-error]");
const TRACK_COLUMNS = 7;
const tracks = {
  libraryId: Number(new URLSearchParams(window.location.search).get("library")) || null,
  pageSize: Number(tracksSection.dataset.pageSize) || 25,
  offset: 0,
  count: 0,
  search: "",
  request: 0, // only the newest request may draw the table
  searchTimer: null,
};

function trackMessage(text) {
  const tr = document.createElement("tr");
  const td = cell(text);
  td.colSpan = TRACK_COLUMNS;
  td.className = "muted";
  tr.append(td);
  trackRows.replaceChildren(tr);
}

function trackRow(track) {
  const tr = document.createElement("tr");
  tr.dataset.trackId = track.id;
  if (!track.is_readable) tr.className = "unreadable";
  const title = document.createElement("td");
  const link = document.createElement("a");
  link.href = `${tracksSection.dataset.trackPageUrl}${track.id}`;
  link.textContent = track.title || track.relative_path || track.path;
  if (!track.title) link.classList.add("untitled");
  link.title = track.relative_path || track.path;
  title.append(link);
  title.className = "title";
  const tagged = cell("", "Tagged");
  if (track.tagged_version) {
    tagged.textContent = track.tagged_version;
  } else {
    tagged.textContent = "not tagged";
    tagged.className = "muted";
  }
  const problem = cell(track.read_error || "", "Read error");
  if (track.read_error) problem.className = "error";
  tr.append(
    title,
    cell(track.artist || "–", "Artist"),
    cell(track.album || "–", "Album"),
    cell(track.format || "–", "Format"),
    cell(clock(track.duration), "Duration"),
    tagged,
    problem,
  );
  return tr;
}

function drawPager() {
  const { offset, count, pageSize } = tracks;
  const last = Math.min(offset + pageSize, count);
  tracksInfo.textContent = count
    ? `${(offset + 1).toLocaleString()}–${last.toLocaleString()} of ${count.toLocaleString()}`
    : "";
  tracksPrev.disabled = offset <= 0;
  tracksNext.disabled = last >= count;
}

async function loadTracks() {
  const request = ++tracks.request;
  show(tracksError, "");
  if (!tracks.libraryId) {
    tracks.count = 0;
    trackMessage("Add a library to see its tracks here.");
    drawPager();
    return;
  }
  const params = new URLSearchParams({ limit: tracks.pageSize, offset: tracks.offset });
  if (tracks.search) params.set("search", tracks.search);
  try {
    const result = await api(`${urls.list}/${tracks.libraryId}/tracks?${params}`);
    if (request !== tracks.request) return;
    tracks.count = result.count;
    if (!result.results.length && tracks.offset > 0 && result.count > 0) {
      // The page emptied under us (files forgotten by a scan): go to the last page.
      tracks.offset = Math.max(0, Math.floor((result.count - 1) / tracks.pageSize) * tracks.pageSize);
      return loadTracks();
    }
    if (!result.results.length) {
      trackMessage(tracks.search
        ? `No tracks match "${tracks.search}".`
        : "No tracks yet: scan this library to find its files.");
    } else {
      trackRows.replaceChildren(...result.results.map(trackRow));
    }
    drawPager();
  } catch (error) {
    if (request !== tracks.request) return;
    tracks.count = 0;
    trackMessage("");
    drawPager();
    show(tracksError, `Could not load the tracks: ${error.message}`);
  }
}

function setTrackLibraries(libraries) {
  const options = libraries.map((library) => {
    const option = document.createElement("option");
    option.value = library.id;
    option.textContent = library.name;
    return option;
  });
  if (!options.length) {
    const none = document.createElement("option");
    none.value = "";
    none.textContent = "no libraries";
    options.push(none);
  }
  tracksLibrary.replaceChildren(...options);
  tracksLibrary.disabled = !libraries.length;
  const known = libraries.some((library) => library.id === tracks.libraryId);
  const fallback = libraries.find((library) => library.is_default) || libraries[0];
  const chosen = known ? tracks.libraryId : fallback ? fallback.id : null;
  if (known) {
    tracksLibrary.value = String(chosen);
    loadTracks();
  } else {
    selectLibrary(chosen);
  }
}

function selectLibrary(id) {
  tracks.libraryId = id;
  tracks.offset = 0;
  if (id) tracksLibrary.value = String(id);
  const address = new URL(window.location.href);
  if (id) address.searchParams.set("library", id);
  else address.searchParams.delete("library");
  window.history.replaceState(null, "", address);
  loadTracks();
}

tracksLibrary.addEventListener("change", () => selectLibrary(Number(tracksLibrary.value) || null));
tracksForm.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(tracks.searchTimer);
  tracks.search = tracksSearch.value.trim();
  tracks.offset = 0;
  loadTracks();
});
tracksSearch.addEventListener("input", () => {
  clearTimeout(tracks.searchTimer);
  tracks.searchTimer = setTimeout(() => {
    const search = tracksSearch.value.trim();
    if (search === tracks.search) return;
    tracks.search = search;
    tracks.offset = 0;
    loadTracks();
  }, 300);
});
tracksPrev.addEventListener("click", () => {
  tracks.offset = Math.max(0, tracks.offset - tracks.pageSize);
  loadTracks();
});
tracksNext.addEventListener("click", () => {
  if (tracks.offset + tracks.pageSize >= tracks.count) return;
  tracks.offset += tracks.pageSize;
  loadTracks();
});

// Live progress from the library event room; followJob's polling stays as the fallback.
stream.on("scan:progress", (data) => {
  const scan = scans.get(data.library_id);
  if (scan && scan.jobId === data.job_id) {
    setProgress(data.library_id, data.fraction, data.message);
  }
});

refresh().catch((error) => showError(error.message));
