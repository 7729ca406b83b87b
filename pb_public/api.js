// The one PocketBase SDK client of the web client, and the plain-language
// wording of every failure a person can meet.
import PocketBase from "pocketbase";

/** pb is the shared SDK client; its auth is kept in localStorage. */
export const pb = new PocketBase("/");

// Several requests run at once (outbox, catch-up, presence), so the SDK must
// not cancel one request because another to the same path starts.
pb.autoCancellation(false);

const signedOutListeners = [];

/** Adds a function that runs when the server says the sign-in has ended. */
export function onSignedOut(listener) {
  signedOutListeners.push(listener);
}

// A 401 on any request with a token means the server-side sign-in session
// is over (logout elsewhere, idle expiry, staff). Nothing is retried then.
pb.afterSend = function (response, data) {
  if (response.status === 401 && pb.authStore.token) {
    pb.authStore.clear();
    for (const listener of signedOutListeners) {
      listener(data && data.message);
    }
  }
  return data;
};

/** Sends a JSON request to one of Hearth's own routes. */
export function call(method, path, body) {
  const options = { method };
  if (body !== undefined) {
    options.body = body;
  }
  return pb.send(path, options);
}

/** Reports whether err is a network failure rather than an answer. */
export function isOffline(err) {
  return !err || err.status === 0 || err.isAbort;
}

/** Returns the seconds to wait from a 429 answer, or fallback. */
export function retryAfterSeconds(err, fallback = 60) {
  const seconds = Number(err?.response?.data?.retryAfter);
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : fallback;
}

/** Formats a wait in seconds as words, e.g. "2 minutes" or "45 seconds". */
export function describeWait(seconds) {
  if (seconds >= 90 * 60) {
    const hours = Math.round(seconds / 3600);
    return `${hours} hour${hours === 1 ? "" : "s"}`;
  }
  if (seconds >= 90) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minutes`;
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

/** Returns the field error messages of a 400 answer, keyed by field name. */
export function fieldErrors(err) {
  const data = err?.response?.data || {};
  const errors = {};
  for (const [name, value] of Object.entries(data)) {
    if (value && typeof value.message === "string") {
      errors[name] = value.message;
    }
  }
  return errors;
}

/**
 * Returns a sentence for a failed request that a person can act on. The
 * server's own message is used when it sent one; it is written for people.
 */
export function explain(err, action = "That") {
  if (isOffline(err)) {
    return "No connection right now. Check your signal and try again.";
  }
  if (err.status === 429) {
    return `Too many tries. Please wait ${describeWait(retryAfterSeconds(err))} and try again.`;
  }
  const message = err?.response?.message;
  if (message && err.status < 500) {
    return message;
  }
  if (err.status >= 500) {
    return `${action} did not work because of a problem on our side. Please try again in a moment.`;
  }
  return `${action} did not work. Please try again.`;
}
