// Navidrome page: preview a smart-playlist query (count and a few tracks) and download its
// .nsp file; the query language and its errors come from the API.

import { api } from "./app.js";

const page = document.getElementById("navidrome");
const form = page.querySelector("[data-playlist-form]");
const errorBox = page.querySelector("[data-error]");
const countBox = page.querySelector("[data-count]");
const table = page.querySelector("[data-preview]");

function show(box, message) {
  box.textContent = message || "";
  box.hidden = !message;
}

function cell(text, label) {
  const td = document.createElement("td");
  td.textContent = text || "";
  td.dataset.label = label;
  return td;
}

async function preview() {
  show(errorBox, "");
  const body = await api(page.dataset.previewUrl, {
    method: "POST",
    body: { query: form.elements.query.value, preview_limit: 20 },
  });
  show(countBox, `${body.matched_tracks} tracks match`);
  const rows = table.querySelector("tbody");
  rows.replaceChildren(
    ...body.preview.map((track) => {
      const tr = document.createElement("tr");
      tr.append(cell(track.title, "Title"), cell(track.artist, "Artist"), cell(track.path, "Path"));
      return tr;
    }),
  );
  table.hidden = body.preview.length === 0;
}

async function download() {
  show(errorBox, "");
  const limit = Number.parseInt(form.elements.limit.value, 10);
  const body = await api(page.dataset.generateUrl, {
    method: "POST",
    body: {
      query: form.elements.query.value,
      playlist_name: form.elements.playlist_name.value,
      sort: form.elements.sort.value,
      limit: Number.isFinite(limit) ? limit : null,
    },
  });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([body.content], { type: "application/json" }));
  link.download = `${body.playlist_name.replace(/[^\w.-]+/g, "_") || "playlist"}.nsp`;
  link.click();
  URL.revokeObjectURL(link.href);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  preview().catch((error) => show(errorBox, error.message));
});
page.querySelector("[data-download]").addEventListener("click", () => {
  download().catch((error) => show(errorBox, error.message));
});
