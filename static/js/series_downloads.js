// The Downloads card of a series page: save the series' download source (a URL template) and
// queue its missing episodes for download (the missing ones as the series detail lists them).

import { api } from "./app.js";
import { showFormErrors } from "./dom.js";

const page = document.getElementById("series-page");
const card = page.querySelector("[data-downloads]");
const form = card.querySelector("[data-source-form]");
const errorBox = page.querySelector("[data-error]");
const noticeBox = page.querySelector("[data-notice]");

function show(box, message) {
  box.textContent = message || "";
  box.hidden = !message;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  show(errorBox, "");
  const source = form.elements.namedItem("download_source").value.trim();
  try {
    await api(page.dataset.detailUrl, { method: "PATCH", body: { download_source: source } });
    showFormErrors(form, null);
    show(noticeBox, source ? "Download source saved." : "Download source removed.");
  } catch (error) {
    const rest = showFormErrors(form, error);
    show(errorBox, rest.length ? rest.join(" ") : error.message);
  }
});

card.querySelector("[data-queue-missing]").addEventListener("click", async () => {
  show(errorBox, "");
  try {
    const detail = await api(page.dataset.detailUrl);
    const episodes = detail.seasons.flatMap((season) =>
      season.episodes
        .filter((episode) => !episode.present)
        .map((episode) => ({ season: season.season, episode: episode.number, title: episode.title })),
    );
    if (!episodes.length) {
      show(noticeBox, "No episode is missing.");
      return;
    }
    const body = await api(card.dataset.addUrl, {
      method: "POST",
      body: { serie_id: card.dataset.seriesKey, episodes: episodes.slice(0, 500) },
    });
    const refused = body.failed_items.length ? ` ${body.failed_items.length} not queued: ${body.failed_items[0].reason}.` : "";
    show(noticeBox, `${body.message}.${refused}`);
  } catch (error) {
    show(errorBox, error.message);
  }
});
