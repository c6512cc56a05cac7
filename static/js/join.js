// The join page while a Plex sign-in waits: polls the status URL the page gives
// (data-status-url) and reloads the page once plex.tv says the PIN was approved or expired, so
// the page shows the signed-in account (read on the server, never sent by this script).

const POLL_MS = 3000;
const GIVE_UP_MS = 30 * 60 * 1000; // plex.tv forgets a PIN after 30 minutes

export function watchPlexSignIn(root, { reload = () => window.location.reload() } = {}) {
  const url = root.dataset.statusUrl;
  const started = Date.now();
  let timer = null;

  async function poll() {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const data = await response.json();
      if (response.ok && (data.status === "signed_in" || data.status === "expired")) {
        reload();
        return;
      }
      if (!response.ok && response.status !== 502) return; // refused or unknown: stop asking
    } catch (error) {
      // plex.tv or this server unreachable for a moment: ask again later
    }
    if (Date.now() - started < GIVE_UP_MS) timer = setTimeout(poll, POLL_MS);
  }

  timer = setTimeout(poll, POLL_MS);
  return { stop: () => clearTimeout(timer) };
}

const root = document.querySelector("[data-plex-signin][data-state=waiting]");
if (root) watchPlexSignIn(root);
