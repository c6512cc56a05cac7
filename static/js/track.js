// Track page: the tags as the file holds them (read from the file through the API), and a
// forced re-tag followed live (queue:jobs events) with polling of the job as the fallback
// (events.js followJob).

import { api } from "./app.js";
import { el } from "./dom.js";
import { followJob, isFinished, openStream } from "./events.js";

const root = document.getElementById("track");
const trackPath = root.dataset.trackPath;
const POLL_MS = 1500;
const status = root.querySelector("[data-retag-status]");
const retagButton = root.querySelector('[data-action="retag"]');
let stream = null; // opened on the first re-tag
let following = null;

function show(selector, message) {
  const box = root.querySelector(selector);
  box.textContent = message || "";
  box.hidden = !message;
}

async function loadTags() {
  const body = root.querySelector("[data-tags]");
  try {
    const file = await api(`${root.dataset.tagsUrl}?${new URLSearchParams({ path: trackPath })}`);
    const rows = [];
    for (const [key, values] of Object.entries(file.tags || {}).sort()) {
      const value = Array.isArray(values) ? values.join("; ") : String(values);
      rows.push(el("tr", { "data-tag": key }, el("td", {}, el("code", {}, key)), el("td", {}, value)));
    }
    if (!rows.length) {
      rows.push(el("tr", {}, el("td", { colspan: "2", class: "muted" },
        `No ${file.namespace}: tags in the file yet.`)));
    }
    body.replaceChildren(...rows);
    root.querySelector("[data-tags-note]").textContent =
      `Tags of the "${file.namespace}" namespace as the file holds them now.`;
    show("[data-tags-error]", "");
  } catch (error) {
    body.replaceChildren();
    show("[data-tags-error]", `Could not read the file's tags: ${error.message}`);
  }
}

function setProgress(job) {
  status.hidden = false;
  const fraction = job.status === "done" ? 1 : (job.progress && job.progress.fraction) || 0;
  const bar = status.querySelector(".progress");
  bar.setAttribute("aria-valuenow", String(Math.round(fraction * 100)));
  bar.firstElementChild.style.width = `${Math.round(fraction * 100)}%`;
  const message = status.querySelector("[data-retag-message]");
  message.className = job.status === "error" ? "error" : "muted";
  message.replaceChildren(describe(job));
  if (job.status === "done") {
    const reload = el("a", { href: window.location.pathname, "data-reload": "" }, "Show the new scores");
    message.append(" · ", reload);
  }
  // A finished job frees the button at once, whichever path (event or poll) saw it first.
  if (isFinished(job)) retagButton.disabled = false;
  status.dataset.status = job.status;
}

function describe(job) {
  if (job.status === "done") return "Done: the file is tagged.";
  if (job.status === "error") return `Failed: ${job.error_message || "unknown error"}`;
  if (job.status === "cancelled") return "Cancelled.";
  if (job.status === "pending") return "Queued: waiting for a worker…";
  return (job.progress && job.progress.message) || "Analysing…";
}

function follow(jobId) {
  if (following) following.stop();
  stream = stream || openStream(root.dataset.eventsUrl);
  following = followJob(stream, jobId, `${root.dataset.jobStatusUrl}${jobId}`, {
    pollMs: POLL_MS,
    onUpdate: setProgress,
    onFinish: finish,
    onError(error) {
      show("[data-retag-error]", `Could not follow job ${jobId}: ${error.message}`);
      if (error.status === 404) finish(null);
    },
  });
}

function finish(job) {
  retagButton.disabled = false;
  if (job && job.status === "done") loadTags();
}

async function retag() {
  retagButton.disabled = true;
  show("[data-retag-error]", "");
  try {
    const result = await api(root.dataset.processUrl, {
      method: "POST",
      body: { paths: [trackPath], force: true, recursive: false },
    });
    if (!result.job_ids.length) {
      const reason = (result.refused[0] && result.refused[0].reason) || result.message;
      throw new Error(reason);
    }
    setProgress({ status: "pending" });
    follow(result.job_ids[0]);
  } catch (error) {
    show("[data-retag-error]", error.message);
    retagButton.disabled = false;
  }
}

retagButton.addEventListener("click", retag);
loadTags();
