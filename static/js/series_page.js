// One series: its facts, poster, NFO and artwork status with buttons to create or update the
// NFO and fetch artwork, and its episodes by season, present or missing. A library rescan
// shows its progress live (series `scan:progress` / `scan:complete` events) and redraws.

import { api } from "./app.js";
import { el } from "./dom.js";
import { openStream } from "./events.js";

const page = document.getElementById("series-page");
const urls = {
  detail: page.dataset.detailUrl,
  poster: page.dataset.posterUrl,
  nfo: page.dataset.nfoUrl,
  rescan: page.dataset.rescanUrl,
};
const errorBox = page.querySelector("[data-error]");
const noticeBox = page.querySelector("[data-notice]");
const poster = page.querySelector("[data-poster]");
const seasons = page.querySelector("[data-seasons]");
const scanBox = page.querySelector("[data-scan]");
const scanMessage = page.querySelector("[data-scan-message]");
const scanBar = page.querySelector("[data-scan-bar]");
const buttons = [...page.querySelectorAll("[data-action]")];

function show(box, message) {
  box.textContent = message || "";
  box.hidden = !message;
}

function field(name, text) {
  page.querySelector(`[data-field="${name}"]`).textContent = text;
}

function presence(name, present) {
  const cell = page.querySelector(`[data-media="${name}"]`);
  cell.replaceChildren(
    el("span", { class: present ? "badge done" : "badge warn" }, present ? "present" : "missing"),
  );
}

function episodeRow(episode) {
  const badge = episode.present
    ? el("span", { class: "badge done" }, "present")
    : el("span", { class: "badge error" }, "missing");
  return el(
    "tr",
    {},
    el("td", { "data-label": "Episode" }, String(episode.number)),
    el("td", { "data-label": "Title" }, episode.title || "–"),
    el("td", { "data-label": "Aired" }, episode.air_date || "–"),
    el("td", { "data-label": "State" }, badge),
    el("td", { "data-label": "File", class: "muted" }, episode.file || ""),
  );
}

function seasonTable(season) {
  const missing = season.episodes.filter((e) => !e.present).length;
  const title = season.season === 0 ? "Specials" : `Season ${season.season}`;
  const head = el("tr", {}, ...["Episode", "Title", "Aired", "State", "File"].map((t) => el("th", {}, t)));
  return el(
    "div",
    {},
    el("h3", {}, missing ? `${title} (${missing} missing)` : title),
    el(
      "div",
      { class: "table-wrap" },
      el("table", { class: "table stack-table episodes" }, el("thead", {}, head),
        el("tbody", {}, ...season.episodes.map(episodeRow))),
    ),
  );
}

async function load() {
  try {
    const series = await api(urls.detail);
    field("counts", `${series.present} on disk, ${series.missing} missing`);
    field("scanned_at", series.scanned_at ? new Date(series.scanned_at).toLocaleString() : "never");
    page.querySelector("[data-description]").textContent = series.description || "";
    presence("nfo", series.has_nfo);
    for (const name of ["poster", "logo", "fanart"]) presence(name, series.media_files[`has_${name}`]);
    poster.hidden = !series.media_files.has_poster;
    if (series.media_files.has_poster) poster.src = `${urls.poster}?v=${Date.now()}`;
    const tmdbHint = page.querySelector("[data-tmdb-hint]");
    tmdbHint.hidden = series.tmdb_configured;
    if (series.tmdb_problem) tmdbHint.textContent = `${series.tmdb_problem}.`;
    for (const button of buttons) {
      if (button.dataset.action !== "rescan") button.disabled = !series.tmdb_configured;
    }
    page.querySelector('[data-action="update"]').disabled ||= !series.has_nfo;
    page.querySelector('[data-action="media"]').disabled ||= !series.has_nfo;
    seasons.replaceChildren(
      ...(series.seasons.length
        ? series.seasons.map(seasonTable)
        : [el("p", { class: "muted" }, "No episodes known yet: rescan the library.")]),
    );
  } catch (error) {
    show(errorBox, `Could not load the series: ${error.message}`);
  }
}

const ACTIONS = {
  create: () => api(`${urls.nfo}/create`, { method: "POST", body: { overwrite_existing: true } }),
  update: () => api(`${urls.nfo}/update?download_media=true`, { method: "PUT" }),
  media: () => api(`${urls.nfo}/media/download`, { method: "POST", body: {} }),
  rescan: () => api(urls.rescan, { method: "POST" }),
};

for (const button of buttons) {
  button.addEventListener("click", async () => {
    const label = button.textContent;
    button.disabled = true;
    button.textContent = "Working…";
    show(errorBox, "");
    try {
      const body = await ACTIONS[button.dataset.action]();
      show(noticeBox, body.message ? `${body.message}.` : "Artwork fetched.");
    } catch (error) {
      show(errorBox, error.message);
    } finally {
      button.textContent = label;
      button.disabled = false;
      load();
    }
  });
}

const stream = openStream(page.dataset.eventsUrl);
stream.on("scan:progress", (data) => {
  if (data.scope !== "series") return;
  scanBox.hidden = false;
  scanMessage.textContent = data.message;
  const percent = Math.round((data.fraction || 0) * 100);
  scanBar.firstElementChild.style.width = `${percent}%`;
  scanBar.setAttribute("aria-valuenow", String(percent));
});
stream.on("scan:complete", (data) => {
  if (data.scope !== "series") return;
  scanBox.hidden = true;
  load();
});

load();
