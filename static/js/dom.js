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
