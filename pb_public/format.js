// Dates and times in the viewer's own time zone and language.

const dateTime = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  day: "numeric",
  month: "long",
  hour: "numeric",
  minute: "2-digit",
  timeZoneName: "short",
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });

function parse(value) {
  if (!value) {
    return null;
  }
  // PocketBase writes "2025-01-02 15:04:05.000Z"; Date wants a "T".
  const date = new Date(String(value).replace(" ", "T"));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Formats a server time as a full local date and time, or "" if unset. */
export function formatDateTime(value) {
  const date = parse(value);
  return date ? dateTime.format(date) : "";
}

/** Formats a server time as a local time of day, or "" if unset. */
export function formatTime(value) {
  const date = parse(value);
  return date ? timeOnly.format(date) : "";
}

/** Returns the ISO form of a server time for a <time datetime> attribute. */
export function isoTime(value) {
  const date = parse(value);
  return date ? date.toISOString() : "";
}
