// The code screen: the 6-digit code from the SMS, and a way to request a new
// one once the cooldown has passed. A wrong, expired or used code sends the
// person back to the start. The server returns the same 400 for all three,
// so the screen cannot tell a typo from a dead code, and a new code is the
// one way forward that always works.
import { html, render } from "../html.js";
import { pb, explain, describeWait, retryAfterSeconds } from "../api.js";
import { navigate } from "../app.js";
import { pendingSignIn, clearSignIn, requestCode, secondsUntilResend } from "./sign-in-state.js";

/** Mounts the code screen. */
export function mount(root) {
  const state = pendingSignIn();
  if (!state || !state.otpId) {
    navigate("#/");
    return;
  }

  render(root, html`
    <section class="card narrow">
      <h1>Enter your code</h1>
      <p>We sent a text message with a 6-digit code. It can take a minute to arrive.</p>
      <form id="code-form" novalidate>
        <div class="field">
          <label for="code">Code</label>
          <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
            pattern="[0-9]*" maxlength="6" required aria-describedby="code-error" class="code-input">
          <p id="code-error" class="field-error" role="alert" hidden></p>
        </div>
        <button type="submit" class="primary wide">Sign in</button>
      </form>
      <div class="resend">
        <p id="resend-label">Didn't get a code?</p>
        <button type="button" id="resend" aria-describedby="resend-label resend-wait">Send a new code</button>
        <p id="resend-wait" class="hint" aria-live="polite"></p>
      </div>
      <p><a href="#/" id="start-over">Use a different phone number</a></p>
    </section>`);

  const form = root.querySelector("#code-form");
  const input = root.querySelector("#code");
  const error = root.querySelector("#code-error");
  const submit = form.querySelector("button");
  const resend = root.querySelector("#resend");
  const wait = root.querySelector("#resend-wait");

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
    input.setAttribute("aria-invalid", text ? "true" : "false");
  }

  // The countdown is announced once when it starts and once when it ends,
  // not every second, so screen readers are not flooded.
  let announced = "";
  let note = "";
  function tick() {
    const left = secondsUntilResend();
    resend.disabled = left > 0;
    const text = note + (left > 0 ? `You can ask for a new code in ${left} s.` : "");
    if (left > 0 && announced !== "counting") {
      wait.setAttribute("aria-live", "polite");
      announced = "counting";
    } else if (left > 0) {
      wait.setAttribute("aria-live", "off");
    } else if (announced === "counting") {
      wait.setAttribute("aria-live", "polite");
      announced = "done";
    }
    wait.textContent = text;
  }
  tick();
  const timer = setInterval(tick, 1000);

  input.addEventListener("input", () => {
    // Keep digits only: some keyboards paste "123 456" or "123-456".
    const digits = input.value.replace(/\D/g, "").slice(0, 6);
    if (digits !== input.value) {
      input.value = digits;
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = input.value.replace(/\D/g, "");
    if (code.length !== 6) {
      showError("Enter the 6 digits from the text message.");
      input.focus();
      return;
    }
    showError("");
    submit.disabled = true;
    submit.textContent = "Checking…";
    try {
      const current = pendingSignIn();
      await pb.collection("users").authWithOTP(current.otpId, code);
      clearSignIn();
      navigate("#/home");
    } catch (err) {
      if (err.status === 400) {
        navigate("#/", "That code did not work or has expired. Please start again and ask for a new code.");
        return;
      }
      showError(explain(err, "Signing in"));
      input.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = "Sign in";
    }
  });

  resend.addEventListener("click", async () => {
    const current = pendingSignIn();
    if (!current) {
      navigate("#/");
      return;
    }
    resend.disabled = true;
    try {
      await requestCode(current.phone, current.lastName);
      showError("");
      note = "A new code is on its way; use the newest one. ";
      input.value = "";
      input.focus();
    } catch (err) {
      if (err.status === 429) {
        showError(`Too many codes were asked for. You can ask again in ${describeWait(retryAfterSeconds(err))}.`);
      } else {
        showError(explain(err, "Sending a new code"));
      }
    } finally {
      announced = "";
      tick();
    }
  });

  root.querySelector("#start-over").addEventListener("click", () => clearSignIn());

  return () => clearInterval(timer);
}
