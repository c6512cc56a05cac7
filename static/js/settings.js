// Settings page: API key management (list, create once-shown keys, revoke), the configuration
// form (PUT /api/config, per-field errors) and configuration backups (create, restore, delete).

import { api } from "./app.js";
import { showFormErrors } from "./dom.js";
import { attachFolderPicker } from "./folder_picker.js";

const section = document.getElementById("api-keys");
const url = section.dataset.keysUrl;
const rows = section.querySelector("[data-key-rows]");
const form = section.querySelector("[data-key-create]");
const created = section.querySelector("[data-key-created]");
const createdValue = section.querySelector("[data-key-value]");
const errorBox = section.querySelector("[data-key-error]");

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = !message;
}

// `label` names the column for the stacked phone-width layout (app.css `.stack-table`).
function cell(text, label) {
  const td = document.createElement("td");
  td.textContent = text;
  if (label) td.dataset.label = label;
  return td;
}

function when(value) {
  return value ? new Date(value).toLocaleString() : "never";
}

async function load() {
  const data = await api(url);
  if (!data.api_keys.length) {
    const tr = document.createElement("tr");
    const td = cell("No API keys yet.");
    td.colSpan = 6;
    tr.append(td);
    rows.replaceChildren(tr);
    return;
  }
  rows.replaceChildren(
    ...data.api_keys.map((key) => {
      const tr = document.createElement("tr");
      tr.dataset.keyId = key.id;
      const actions = document.createElement("td");
      actions.className = "actions";
      const revoke = document.createElement("button");
      revoke.type = "button";
      revoke.className = "danger";
      revoke.textContent = "Revoke";
      revoke.addEventListener("click", async () => {
        if (!window.confirm(`Revoke the key "${key.name}"? Scripts using it stop working.`)) {
          return;
        }
        try {
          await api(`${url}/${key.id}`, { method: "DELETE" });
          showError("");
          await load();
        } catch (error) {
          showError(error.message);
        }
      });
      actions.append(revoke);
      tr.append(cell(key.name, "Name"), cell(`${key.prefix}…`, "Prefix"), cell(key.scope, "Scope"),
        cell(when(key.created_at), "Created"), cell(when(key.last_used_at), "Last used"), actions);
      return tr;
    }),
  );
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = form.elements.name.value.trim();
  const scope = form.elements.scope.value;
  try {
    const data = await api(url, { method: "POST", body: { name, scope } });
    createdValue.textContent = data.api_key.key;
    created.hidden = false;
    form.reset();
    showFormErrors(form, null);
    showError("");
    await load();
  } catch (error) {
    showFormErrors(form, error);
    showError(error.message);
  }
});

load().catch((error) => showError(error.message));

// ---- Configuration -------------------------------------------------------------------------
const configSection = document.getElementById("configuration");
const configForm = configSection.querySelector("[data-config-form]");
const configFields = configSection.querySelector("[data-config-fields]");
const configError = configSection.querySelector("[data-config-error]");
const configSaved = configSection.querySelector("[data-config-saved]");
const SECTION_TITLES = {
  scheduler: "Scheduler",
  logging: "Logging",
  backup: "Backups",
  other: "Library and metadata",
  imports: "Imports (AltMount API, SABnzbd, NZBGet)",
};
let loadedFields = [];

function show(element, message) {
  element.textContent = message;
  element.hidden = !message;
}

function labelFor(path) {
  const name = path.split(".")[1].replaceAll("_", " ");
  return (name.charAt(0).toUpperCase() + name.slice(1)).replace(/^Tmdb api/, "TMDB API");
}

function make(tag, props = {}) {
  return Object.assign(document.createElement(tag), props);
}

function inputFor(field, id) {
  if (field.input === "checkbox") {
    return make("input", { type: "checkbox", id, checked: Boolean(field.value) });
  }
  if (field.input === "select") {
    const select = make("select", { id });
    select.append(
      ...field.choices.map((choice) => make("option", { value: choice, textContent: choice })),
    );
    select.value = field.value;
    return select;
  }
  if (field.input === "multi") {
    const group = make("span", { id, className: "inline" });
    field.choices.forEach((choice) => {
      const checked = field.value.includes(choice);
      const box = make("input", { type: "checkbox", value: choice, checked });
      const label = make("label", { textContent: ` ${choice} ` });
      label.prepend(box);
      group.append(label);
    });
    return group;
  }
  if (field.input === "secret") {
    const placeholder = field.value ? "type a new key to replace it" : "type a key to set it";
    return make("input", { type: "password", id, autocomplete: "new-password", placeholder });
  }
  const input = make("input", { id, type: field.input === "number" ? "number" : "text" });
  if (field.input === "number") {
    Object.assign(input, { min: field.min, max: field.max, step: 1 });
  }
  input.value = field.value ?? "";
  input.style.width = field.input === "number" ? "8rem" : "100%";
  return input;
}

function renderField(field) {
  const id = `cfg-${field.path.replace(".", "-")}`;
  const row = make("div", { className: "config-field" });
  row.dataset.path = field.path;
  row.style.margin = ".6rem 0";
  const label = make("label", { htmlFor: id, textContent: labelFor(field.path) });
  label.style.fontWeight = "600";
  const input = inputFor(field, id);
  // The field's path is its name, so `showFormErrors` puts the API's message next to it.
  input.name = field.path;
  row.append(label, make("br"), input);
  if (field.input === "folder") attachFolderPicker(input, configSection.dataset.foldersUrl);
  if (field.input === "secret") {
    const state = field.value ? " (set)" : " (not set)";
    row.append(make("span", { className: "muted", textContent: state }));
    if (field.value) {
      const clear = make("label", { textContent: " remove the stored key" });
      clear.prepend(make("input", { type: "checkbox", name: "clear-secret" }));
      row.append(make("br"), clear);
    }
  }
  let note = field.description;
  if (field.restart) note += " Takes effect after a restart.";
  row.append(make("br"), make("small", { className: "muted", textContent: note }));
  if (field.env_override) {
    const warning = `${field.env_override} is set in the environment and wins over this value.`;
    row.append(make("br"), make("small", { className: "error", textContent: warning }));
  }
  return row;
}

function renderConfig(fields) {
  loadedFields = fields;
  const sets = Object.keys(SECTION_TITLES).map((section) => {
    const set = make("fieldset");
    set.append(make("legend", { textContent: SECTION_TITLES[section] }));
    set.append(...fields.filter((f) => f.path.startsWith(`${section}.`)).map(renderField));
    return set;
  });
  configFields.replaceChildren(...sets);
}

function readField(field) {
  const row = configFields.querySelector(`[data-path="${field.path}"]`);
  const input = row.querySelector(`#cfg-${field.path.replace(".", "-")}`);
  switch (field.input) {
    case "checkbox": return input.checked;
    case "multi": return [...input.querySelectorAll("input:checked")].map((box) => box.value);
    case "number": return input.value === "" ? "" : Number(input.value);
    case "secret": {
      if (input.value) return input.value;
      const clear = row.querySelector('[name="clear-secret"]');
      return clear && clear.checked ? "" : undefined;
    }
    default: return input.value;
  }
}

function changes() {
  const body = {};
  loadedFields.forEach((field) => {
    const value = readField(field);
    if (value === undefined || JSON.stringify(value) === JSON.stringify(field.value)) return;
    const [section, name] = field.path.split(".");
    body[section] = Object.assign(body[section] || {}, { [name]: value });
  });
  return body;
}

async function loadConfig() {
  const data = await api(configSection.dataset.fieldsUrl);
  renderConfig(data.fields);
}

configForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  show(configSaved, "");
  showFormErrors(configForm, null); // this answer's messages replace the last one's
  const body = changes();
  if (!Object.keys(body).length) {
    show(configError, "");
    show(configSaved, "Nothing changed.");
    return;
  }
  try {
    await api(configSection.dataset.configUrl, { method: "PUT", body });
    show(configError, "");
    showFormErrors(configForm, null);
    await loadConfig();
    show(configSaved, "Configuration saved.");
  } catch (error) {
    show(configError, error.message);
    showFormErrors(configForm, error);
  }
});

// ---- Backups -------------------------------------------------------------------------------
const backupSection = document.getElementById("backups");
const backupsUrl = backupSection.dataset.backupsUrl;
const backupRows = backupSection.querySelector("[data-backup-rows]");
const backupForm = backupSection.querySelector("[data-backup-create]");
const backupError = backupSection.querySelector("[data-backup-error]");
const backupStatus = backupSection.querySelector("[data-backup-status]");

function size(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

async function backupAction(question, url, method, done) {
  if (!window.confirm(question)) return;
  try {
    await api(url, { method });
    show(backupError, "");
    show(backupStatus, done);
    await loadBackups();
  } catch (error) {
    show(backupStatus, "");
    show(backupError, error.message);
  }
}

function backupRow(backup) {
  const tr = document.createElement("tr");
  const itemUrl = `${backupsUrl}/${encodeURIComponent(backup.name)}`;
  const restore = make("button", { type: "button", className: "secondary" });
  restore.textContent = "Restore";
  restore.addEventListener("click", async () => {
    const question = `Restore "${backup.name}"? The stored settings are replaced by the `
      + "backup's (the TMDB key is kept).";
    const done = `Restored the settings from ${backup.name}.`;
    await backupAction(question, `${itemUrl}/restore`, "POST", done);
    await loadConfig().catch((error) => show(configError, error.message));
  });
  const remove = make("button", { type: "button", className: "danger", textContent: "Delete" });
  remove.addEventListener("click", () => backupAction(
    `Delete the backup "${backup.name}"?`, itemUrl, "DELETE", `Deleted ${backup.name}.`,
  ));
  const actions = document.createElement("td");
  actions.append(restore, " ", remove);
  actions.className = "actions";
  tr.append(cell(backup.name, "Name"), cell(size(backup.size), "Size"),
    cell(when(backup.created), "Created"), actions);
  return tr;
}

async function loadBackups() {
  const list = await api(backupsUrl);
  if (!list.length) {
    const td = cell("No backups yet.");
    td.colSpan = 4;
    const tr = document.createElement("tr");
    tr.append(td);
    backupRows.replaceChildren(tr);
    return;
  }
  backupRows.replaceChildren(...list.map(backupRow));
}

backupForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = backupForm.elements.name.value.trim();
  const url = name ? `${backupsUrl}?name=${encodeURIComponent(name)}` : backupsUrl;
  try {
    const data = await api(url, { method: "POST" });
    backupForm.reset();
    show(backupError, "");
    show(backupStatus, `Backup ${data.name} created.`);
    await loadBackups();
  } catch (error) {
    show(backupStatus, "");
    show(backupError, error.message);
  }
});

loadConfig().catch((error) => show(configError, error.message));
loadBackups().catch((error) => show(backupError, error.message));
