// Shared page behaviour: the phone-width menu toggle (base.html loads this module on every
// page) and `api`, a fetch helper that sends the CSRF token with the session cookie, so page
// modules call the JSON API as the logged-in admin.
const toggle = document.querySelector("[data-nav-toggle]");
if (toggle) {
  toggle.addEventListener("click", () => {
    const open = document.body.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", String(open));
  });
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// "Too many attempts; try again in 14 minutes" from a Retry-After header (seconds), worded as
// the server words it on the login page (nomarr_site/auth/ratelimit.py retry_message).
export function retryMessage(retryAfter) {
  const seconds = Number.parseInt(retryAfter, 10);
  if (!Number.isFinite(seconds) || seconds <= 0) return "Too many attempts; try again later.";
  if (seconds < 60) return `Too many attempts; try again in ${seconds} second${seconds === 1 ? "" : "s"}.`;
  const minutes = Math.ceil(seconds / 60);
  return `Too many attempts; try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

export async function api(url, options = {}) {
  const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
  const init = Object.assign({ credentials: "same-origin" }, options, { headers });
  if (init.body && typeof init.body !== "string") {
    init.body = JSON.stringify(init.body);
    headers["Content-Type"] = "application/json";
  }
  if (init.method && init.method !== "GET") {
    headers["X-CSRFToken"] = csrfToken();
  }
  const response = await fetch(url, init);
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  if (!response.ok) {
    // A throttled answer says when to retry (daphne's reason phrase for 429 is "Unknown Status").
    const message =
      response.status === 429
        ? retryMessage(response.headers.get("Retry-After"))
        : (data && (data.message || data.detail)) || response.statusText || `HTTP ${response.status}`;
    const err = new Error(message);
    err.status = response.status;
    err.data = data;
    throw err;
  }
  return data;
}
