// Signing out from any screen: the server ends the sign-in session, and the
// token and any unsent messages of this person are forgotten on this device.
import { pb, call } from "../api.js";
import { navigate } from "../app.js";
import { forgetAllOutboxes } from "../outbox.js";

/** Ends the sign-in session and returns to the sign-in screen. */
export async function signOut(message = "You have signed out.") {
  try {
    await call("POST", "/api/logout");
  } catch {
    // Signing out on this device still works while offline; the server
    // session then ends by idle expiry.
  }
  pb.authStore.clear();
  forgetAllOutboxes();
  navigate("#/", message);
}
