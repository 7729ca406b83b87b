// What the two sign-in screens share while a code is on its way: the otpId
// that the code belongs to, the phone and last name (to ask for a new code),
// and when a new code may be requested. It lives in sessionStorage, so a
// reload keeps it and closing the tab forgets it.
import { call, retryAfterSeconds } from "../api.js";

const key = "hearth.signIn";
const defaultCooldownSeconds = 60;

/** Returns the pending sign-in, or null. */
export function pendingSignIn() {
  try {
    return JSON.parse(sessionStorage.getItem(key)) || null;
  } catch {
    return null;
  }
}

/** Forgets the pending sign-in (after success, or to start over). */
export function clearSignIn() {
  sessionStorage.removeItem(key);
}

/** Records that no code may be requested for seconds from now. */
export function holdRequests(phone, lastName, seconds) {
  const state = pendingSignIn() || {};
  sessionStorage.setItem(key, JSON.stringify({
    ...state,
    phone,
    lastName,
    resendAt: Date.now() + seconds * 1000,
  }));
}

/** Returns the whole seconds left before a new code may be requested. */
export function secondsUntilResend(state = pendingSignIn()) {
  if (!state || !state.resendAt) {
    return 0;
  }
  return Math.max(0, Math.ceil((state.resendAt - Date.now()) / 1000));
}

/**
 * Requests a code for phone and lastName and stores the pending sign-in.
 * A 429 answer stores when to try again before it is thrown on.
 */
export async function requestCode(phone, lastName) {
  try {
    const answer = await call("POST", "/api/otp/request", { phone, last_name: lastName });
    sessionStorage.setItem(key, JSON.stringify({
      otpId: answer.otpId,
      phone,
      lastName,
      resendAt: Date.now() + defaultCooldownSeconds * 1000,
    }));
    return answer.otpId;
  } catch (err) {
    if (err.status === 429) {
      holdRequests(phone, lastName, retryAfterSeconds(err, defaultCooldownSeconds));
    }
    throw err;
  }
}
