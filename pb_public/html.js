// An escaping tagged template. Every interpolated value is escaped as text
// unless it is itself the result of html`…` (or an array of such results), so
// user text can never become markup. Event handlers are attached with
// addEventListener after rendering: the Content-Security-Policy forbids
// inline handlers anyway.

const markup = Symbol("markup");

const entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

/** Escapes text for use in element content and quoted attribute values. */
export function escapeText(value) {
  return String(value).replace(/[&<>"'`]/g, (c) => entities[c]);
}

function toMarkup(value) {
  if (value === null || value === undefined || value === false) {
    return "";
  }
  if (Array.isArray(value)) {
    return value.map(toMarkup).join("");
  }
  if (typeof value === "object" && markup in value) {
    return value[markup];
  }
  return escapeText(value);
}

/** Builds escaped markup from a template literal. */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) {
    out += toMarkup(values[i]) + strings[i + 1];
  }
  return { [markup]: out };
}

/** Replaces the children of target with the rendered template. */
export function render(target, template) {
  target.innerHTML = toMarkup(template);
}

/** Returns the first element the template renders, detached. */
export function element(template) {
  const holder = document.createElement("template");
  holder.innerHTML = toMarkup(template).trim();
  return holder.content.firstElementChild;
}
