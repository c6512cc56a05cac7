// Calibration page: generate a calibration (a `calibrate` job followed with a progress bar,
// then the page reloads to show the run), apply it to the library, clear pending
// recalibrations; the queue counts refresh after each.

import { api } from "./app.js";
import { followJob, openStream } from "./events.js";

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

const bar = page.querySelector("[data-progress]");
const barText = page.querySelector("[data-progress-text]");
let stream = null;

function followCalibration(jobId) {
  stream = stream || openStream(page.dataset.eventsUrl);
  bar.hidden = false;
  followJob(stream, jobId, `${page.dataset.jobStatusUrl}${jobId}`, {
    pollMs: 1000,
    onUpdate(job) {
      const fraction = job.status === "done" ? 1 : (job.progress && job.progress.fraction) || 0;
      bar.firstElementChild.style.width = `${Math.round(fraction * 100)}%`;
      barText.textContent = (job.progress && job.progress.message) || job.status;
    },
    onFinish(job) {
      if (job.status === "done") window.location.reload();
      else show(errorBox, job.error_message || `The calibration ended ${job.status}`);
    },
    onError(error) {
      show(errorBox, `Could not follow the calibration: ${error.message}`);
    },
  });
}

page.querySelector("[data-generate-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const save = event.target.elements.save_sidecars.checked;
  const body = await run(() =>
    api(page.dataset.generateUrl, {
      method: "POST",
      body: { save_sidecars: save, background: true },
    }),
  );
  if (!body) return;
  if (body.job_id) followCalibration(body.job_id);
  else window.location.reload();
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
