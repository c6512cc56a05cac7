// Small helpers the page modules share: building elements and writing lengths for people.

// el("td", { class: "muted", "data-job": 4, colspan: "2" }, child, "text") → <td …>…</td>.
// "class" sets the class list; data-*, aria-* and names the element has no property for become
// attributes; everything else (href, title, type, value, checked, style…) is set as a property.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || !(key in node)) {
      node.setAttribute(key, value);
    } else node[key] = value;
  }
  for (const child of children) node.append(child);
  return node;
}

// A total length for people: "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h".
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return "–";
  const total = Math.max(0, Math.round(Number(seconds)));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  const join = (big, bigUnit, small, smallUnit) =>
    small ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
  if (days) return join(days, "d", hours, "h");
  if (hours) return join(hours, "h", minutes, "min");
  if (minutes) return join(minutes, "min", rest, "s");
  return `${rest} s`;
}

// Show an API error's per-field messages (`details.fields`, see the README's error format) next
// to the inputs they name, inside `form`; clears the previous ones. Returns the messages that
// named no input of the form, for the form's general error box.
export function showFormErrors(form, error) {
  for (const old of form.querySelectorAll("[data-field-message]")) old.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
  const fields = (error && error.data && error.data.details && error.data.details.fields) || {};
  const elsewhere = [];
  for (const [name, messages] of Object.entries(fields)) {
    const input = form.elements.namedItem(name);
    const text = [].concat(messages).join(" ");
    if (!input || !input.insertAdjacentElement) {
      elsewhere.push(text);
      continue;
    }
    const id = `${form.id || "form"}-${name}-error`;
    const note = el("small", { class: "error field-message", id, "data-field-message": name }, text);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    input.insertAdjacentElement("afterend", note);
  }
  return elsewhere;
}
