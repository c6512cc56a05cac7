// Series page: the library's series (searchable, filtered, a page at a time) with missing
// episode badges, a rescan with a live progress bar (series `scan:progress` / `scan:complete`
// events), and the add dialog that searches TMDB and adds a show under the folder name given.

import { api } from "./app.js";
import { el } from "./dom.js";
import { followJob, openStream } from "./events.js";
import { pager } from "./pager.js";

const page = document.getElementById("series");
const urls = {
  list: page.dataset.listUrl,
  seriesPage: page.dataset.pageUrl,
  search: page.dataset.searchUrl,
  add: page.dataset.addUrl,
  rescan: page.dataset.rescanUrl,
  nfoQueue: page.dataset.nfoQueueUrl,
  job: page.dataset.jobStatusUrl,
};
const rows = page.querySelector("[data-rows]");
const searchBox = page.querySelector("[data-search]");
const filterBox = page.querySelector("[data-filter]");
const setupBox = page.querySelector("[data-setup]");
const errorBox = page.querySelector("[data-error]");
const noticeBox = page.querySelector("[data-notice]");
const scanBox = page.querySelector("[data-scan]");
const scanMessage = page.querySelector("[data-scan-message]");
const scanBar = page.querySelector("[data-scan-bar]");
const dialog = page.querySelector("[data-add-dialog]");
const addResults = page.querySelector("[data-add-results]");
const addError = page.querySelector("[data-add-error]");
const state = { request: 0, timer: null };
const pages = pager({
  prev: page.querySelector("[data-prev]"),
  next: page.querySelector("[data-next]"),
  info: page.querySelector("[data-info]"),
  pageSize: Number(page.dataset.pageSize) || 50,
  onChange: () => load(),
});

function show(box, message) {
  box.textContent = message || "";
  box.hidden = !message;
}

function missingBadge(series) {
  if (!series.missing) return el("span", { class: "badge done" }, "complete");
  return el("span", { class: "badge warn" }, `${series.missing} missing`);
}

function seriesRow(series) {
  const link = el("a", { href: `${urls.seriesPage}${series.id}` }, series.name);
  // Only a web address becomes a link (a link edited in the backoffice could be anything).
  const tmdb = series.link.startsWith("https://")
    ? el("a", { href: series.link, target: "_blank", rel: "noopener" }, "TMDB")
    : el("span", { class: "muted" }, "not linked");
  return el(
    "tr",
    {},
    el("td", { "data-label": "Name" }, link),
    el("td", { "data-label": "Year" }, series.year ? String(series.year) : "–"),
    el("td", { "data-label": "On disk" }, String(series.present)),
    el("td", { "data-label": "Missing" }, missingBadge(series)),
    el("td", { "data-label": "TMDB" }, tmdb),
  );
}

function setupHints(body) {
  const hints = [];
  if (!body.directory) hints.push("No series directory is set yet: set it in the settings.");
  if (body.tmdb_problem) {
    hints.push(`${body.tmdb_problem}.`);
  } else if (!body.tmdb_configured) {
    hints.push("Without a TMDB API key (settings) Nomarr cannot know missing episodes or add series.");
  }
  show(setupBox, hints.join(" "));
}

async function load() {
  const request = ++state.request;
  const query = new URLSearchParams({ ...pages.query(), filter: filterBox.value });
  if (searchBox.value.trim()) query.set("search", searchBox.value.trim());
  try {
    const body = await api(`${urls.list}?${query}`);
    if (request !== state.request) return;
    show(errorBox, "");
    setupHints(body);
    const items = body.results.map(seriesRow);
    rows.replaceChildren(
      ...(items.length
        ? items
        : [el("tr", {}, el("td", { colspan: "5", class: "muted" }, "No series match."))]),
    );
    pages.show(body.count);
  } catch (error) {
    if (request === state.request) show(errorBox, `Could not load the series: ${error.message}`);
  }
}

function reload() {
  pages.reset();
  load();
}

searchBox.addEventListener("input", () => {
  clearTimeout(state.timer);
  state.timer = setTimeout(reload, 300);
});
page.querySelector("[data-filter-form]").addEventListener("submit", (event) => {
  event.preventDefault();
  reload();
});
filterBox.addEventListener("change", reload);

// A rescan: the answer comes at once; progress and the end arrive as library events.
function scanProgress(data) {
  if (data.scope !== "series") return;
  scanBox.hidden = false;
  scanMessage.textContent = data.message;
  const percent = Math.round((data.fraction || 0) * 100);
  scanBar.firstElementChild.style.width = `${percent}%`;
  scanBar.setAttribute("aria-valuenow", String(percent));
}

function scanComplete(data) {
  if (data.scope !== "series") return;
  scanBox.hidden = true;
  const problems = data.problems.length ? `; ${data.problems.length} with problems` : "";
  show(noticeBox, `Scan finished: ${data.series} series, ${data.missing} episodes missing${problems}.`);
  load();
}

const stream = openStream(page.dataset.eventsUrl);
stream.on("scan:progress", scanProgress);
stream.on("scan:complete", scanComplete);

page.querySelector("[data-rescan]").addEventListener("click", async (event) => {
  event.target.disabled = true;
  try {
    const body = await api(urls.rescan, { method: "POST" });
    show(noticeBox, `${body.message}.`);
    scanBox.hidden = false;
    scanMessage.textContent = "Waiting for a worker…";
  } catch (error) {
    show(errorBox, error.message);
  } finally {
    event.target.disabled = false;
  }
});

// NFOs for every series without one: a job, followed on the page until it ends.
page.querySelector("[data-create-nfos]").addEventListener("click", async (event) => {
  const button = event.target;
  button.disabled = true;
  try {
    const body = await api(urls.nfoQueue, { method: "POST", body: {} });
    show(noticeBox, `${body.message}.`);
    if (!body.job_id) {
      button.disabled = false;
      return;
    }
    followJob(stream, body.job_id, `${urls.job}${body.job_id}`, {
      onUpdate: (job) => {
        if (job.progress && job.progress.message) show(noticeBox, `NFOs: ${job.progress.message}`);
      },
      onFinish: (job) => {
        button.disabled = false;
        const result = job.result || {};
        show(noticeBox, job.status === "done"
          ? `NFOs: ${result.created} created, ${result.skipped} skipped, ${result.failed} failed.`
          : `NFO job ${job.status}: ${job.error_message || ""}`);
      },
      onError: (error) => show(errorBox, error.message),
    });
  } catch (error) {
    button.disabled = false;
    show(errorBox, error.message);
  }
});

// The add dialog: search TMDB, then add one result under an editable folder name.
function resultItem(result) {
  const name = el("input", { value: result.folder, maxLength: 500, "aria-label": "Folder name" });
  const add = el("button", { type: "button" }, "Add");
  add.addEventListener("click", async () => {
    add.disabled = true;
    show(addError, "");
    try {
      const body = await api(urls.add, { method: "POST", body: { link: result.link, name: name.value } });
      dialog.close();
      show(noticeBox, `${body.message} (${body.total_missing} episodes missing).`);
      load();
    } catch (error) {
      show(addError, error.message);
      add.disabled = false;
    }
  });
  return el("li", {}, el("strong", {}, result.name), name, add);
}

page.querySelector("[data-open-add]").addEventListener("click", () => {
  show(addError, "");
  addResults.replaceChildren();
  dialog.showModal();
});

page.querySelector("[data-add-search]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const query = event.target.elements.query.value.trim();
  show(addError, "");
  addResults.replaceChildren(el("li", { class: "muted" }, "Searching…"));
  try {
    const results = await api(`${urls.search}?${new URLSearchParams({ query })}`);
    addResults.replaceChildren(
      ...(results.length ? results.map(resultItem) : [el("li", { class: "muted" }, "No show found.")]),
    );
  } catch (error) {
    addResults.replaceChildren();
    show(addError, error.message);
  }
});

load();
