// Calibration page: generate a calibration, apply it to the library, clear pending
// recalibrations; the page reloads to show the new run, and the queue counts refresh.

import { api } from "./app.js";

const page = document.getElementById("calibration");
const errorBox = page.querySelector("[data-error]");
const noticeBox = page.querySelector("[data-notice]");

function show(box, message) {
  box.textContent = message || "";
  box.hidden = !message;
}

async function run(action) {
  show(errorBox, "");
  try {
    return await action();
  } catch (error) {
    show(errorBox, error.message || String(error));
    return null;
  }
}

async function refreshQueue() {
  const counts = await api(page.dataset.statusUrl);
  for (const [key, value] of Object.entries(counts)) {
    const cell = page.querySelector(`[data-count="${key}"]`);
    if (cell) cell.textContent = value;
  }
}

page.querySelector("[data-generate-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const save = event.target.elements.save_sidecars.checked;
  const body = await run(() =>
    api(page.dataset.generateUrl, { method: "POST", body: { save_sidecars: save } }),
  );
  if (body) window.location.reload();
});

page.querySelector("[data-apply]").addEventListener("click", async () => {
  const body = await run(() => api(page.dataset.applyUrl, { method: "POST" }));
  if (body) {
    show(noticeBox, body.message);
    await refreshQueue();
  }
});

page.querySelector("[data-clear]").addEventListener("click", async () => {
  const body = await run(() => api(page.dataset.clearUrl, { method: "POST" }));
  if (body) {
    show(noticeBox, body.message);
    await refreshQueue();
  }
});
