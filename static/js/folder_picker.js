// A server-side folder picker beside a text input: "Browse…" opens a panel listing the
// folders of the input's folder (or /) from the folders API; a folder opens it, "Up" goes to
// the parent, "Use this folder" fills the input. What is picked is checked when it is saved.

import { api } from "./app.js";
import { el } from "./dom.js";

export function attachFolderPicker(input, foldersUrl) {
  const browse = el("button", { type: "button", class: "secondary", "data-browse": input.name },
    "Browse…");
  const panel = el("div", { class: "folder-picker card", hidden: true, "data-picker": input.name });
  input.insertAdjacentElement("afterend", browse);
  browse.insertAdjacentElement("afterend", panel);

  async function show(path) {
    const params = new URLSearchParams({ path: path || "/", limit: 500 });
    let listing;
    try {
      listing = await api(`${foldersUrl}?${params}`);
    } catch (error) {
      if (path && path !== "/") return show("/"); // a typed path that is not a folder
      panel.replaceChildren(el("p", { class: "error" }, error.message));
      return;
    }
    const head = el("div", { class: "inline" },
      el("code", { "data-picker-path": "" }, listing.path),
      el("button", { type: "button", "data-use": "" }, "Use this folder"));
    const list = el("ul", { class: "folder-list" });
    if (listing.parent) {
      list.append(el("li", {}, el("button", { type: "button", class: "folder-link", "data-open": listing.parent }, "↑ Up")));
    }
    for (const folder of listing.results) {
      list.append(el("li", {}, el("button", { type: "button", class: "folder-link", "data-open": folder.path }, folder.name)));
    }
    if (!listing.results.length) list.append(el("li", { class: "muted" }, "No sub-folders."));
    if (listing.count > listing.results.length || listing.truncated) {
      list.append(el("li", { class: "muted" }, "More folders than shown: type the path instead."));
    }
    panel.replaceChildren(head, list);
    panel.dataset.path = listing.path;
  }

  browse.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    if (!panel.hidden) show(input.value.trim());
  });
  panel.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target) return;
    if (target.dataset.open) show(target.dataset.open);
    if (target.dataset.use !== undefined) {
      input.value = panel.dataset.path;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      panel.hidden = true;
      input.focus();
    }
  });
}
