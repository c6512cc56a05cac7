// The rescan schedule card of the Series page: shows the next and last run from
// the scheduler API, saves the settings (each bad field's message beside it) and starts a
// rescan now. The next run is re-read every minute and after each change.

import { api } from "./app.js";
import { showFormErrors } from "./dom.js";

const card = document.getElementById("schedule");
const form = card.querySelector("[data-schedule-form]");
const nextRun = card.querySelector("[data-next-run]");
const lastRun = card.querySelector("[data-last-run]");
const errorBox = card.querySelector("[data-schedule-error]");
const urls = { config: card.dataset.configUrl, trigger: card.dataset.triggerUrl };

const when = (value) =>
  value ? new Date(value).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : null;

function showError(message) {
  errorBox.textContent = message || "";
  errorBox.hidden = !message;
}

function render(body, fillForm) {
  const status = body.status;
  nextRun.textContent = status.is_running ? when(status.next_run) || "not planned" : "off";
  lastRun.textContent = (when(status.last_run) || "never") + (status.scan_in_progress ? " (scanning now)" : "");
  if (!fillForm) return;
  const config = body.config;
  form.elements.enabled.checked = config.enabled;
  form.elements.schedule_time.value = config.schedule_time;
  form.elements.interval_minutes.value = String(config.interval_minutes);
  form.elements.auto_download_after_rescan.checked = config.auto_download_after_rescan;
  for (const box of form.querySelectorAll('input[name="day"]')) {
    box.checked = config.schedule_days.includes(box.value);
  }
}

async function load(fillForm) {
  try {
    render(await api(urls.config), fillForm);
  } catch (error) {
    showError(`Could not read the schedule: ${error.message}`);
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError("");
  const days = [...form.querySelectorAll('input[name="day"]:checked')].map((box) => box.value);
  const body = {
    enabled: form.elements.enabled.checked,
    schedule_time: form.elements.schedule_time.value,
    interval_minutes: Number(form.elements.interval_minutes.value),
    schedule_days: days,
    auto_download_after_rescan: form.elements.auto_download_after_rescan.checked,
  };
  try {
    render(await api(urls.config, { method: "POST", body }), true);
    showFormErrors(form, null);
  } catch (error) {
    const elsewhere = showFormErrors(form, error);
    showError(elsewhere.length ? elsewhere.join(" ") : error.message);
  }
});

card.querySelector("[data-trigger]").addEventListener("click", async () => {
  showError("");
  try {
    await api(urls.trigger, { method: "POST" });
    await load(false);
  } catch (error) {
    showError(error.message);
  }
});

load(true);
setInterval(() => load(false), 60_000);
