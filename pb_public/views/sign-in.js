// The first screen: phone number and last name. A matching pair gets a code
// by SMS. The server's response is the same whether or not the pair matched,
// so the screen always moves on to the code screen.
import { html, render } from "../html.js";
import { explain, fieldErrors, describeWait, retryAfterSeconds } from "../api.js";
import { navigate } from "../app.js";
import { pendingSignIn, requestCode } from "./sign-in-state.js";

/** Mounts the sign-in screen. */
export function mount(root) {
  const previous = pendingSignIn();
  render(root, html`
    <section class="card narrow">
      <h1>Sign in</h1>
      <p>Enter the phone number and last name your study team has for you. We will text you a code.</p>
      <form id="sign-in" novalidate>
        <div class="field">
          <label for="phone">Phone number</label>
          <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel"
            required maxlength="30" value="${previous?.phone || ""}" aria-describedby="phone-error">
          <p id="phone-error" class="field-error" hidden></p>
        </div>
        <div class="field">
          <label for="last-name">Last name</label>
          <input id="last-name" name="last_name" type="text" autocomplete="family-name"
            autocapitalize="words" spellcheck="false" required maxlength="100"
            value="${previous?.lastName || ""}" aria-describedby="last-name-error">
          <p id="last-name-error" class="field-error" hidden></p>
        </div>
        <p id="form-error" class="form-error" role="alert" hidden></p>
        <button type="submit" class="primary wide">Text me a code</button>
      </form>
    </section>`);

  const form = root.querySelector("#sign-in");
  const button = form.querySelector("button");
  const phoneError = root.querySelector("#phone-error");
  const lastNameError = root.querySelector("#last-name-error");
  const formError = root.querySelector("#form-error");

  function showErrors(errors, general) {
    phoneError.textContent = errors.phone || "";
    phoneError.hidden = !errors.phone;
    form.phone.setAttribute("aria-invalid", errors.phone ? "true" : "false");
    lastNameError.textContent = errors.last_name || "";
    lastNameError.hidden = !errors.last_name;
    form.last_name.setAttribute("aria-invalid", errors.last_name ? "true" : "false");
    formError.textContent = general || "";
    formError.hidden = !general;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const phone = form.phone.value.trim();
    const lastName = form.last_name.value.trim();
    const missing = {};
    if (!phone) missing.phone = "Enter your phone number.";
    if (!lastName) missing.last_name = "Enter your last name.";
    if (missing.phone || missing.last_name) {
      showErrors(missing);
      (missing.phone ? form.phone : form.last_name).focus();
      return;
    }

    showErrors({});
    button.disabled = true;
    button.textContent = "Sending…";
    try {
      await requestCode(phone, lastName);
      navigate("#/code");
    } catch (err) {
      const errors = err.status === 400 ? fieldErrors(err) : {};
      let general = "";
      if (err.status === 429) {
        general = `Too many codes were asked for. You can ask for a new code in ${describeWait(retryAfterSeconds(err))}.`;
      } else if (!errors.phone && !errors.last_name) {
        general = explain(err, "Sending the code");
      }
      showErrors(errors, general);
      if (errors.phone) form.phone.focus();
      else if (errors.last_name) form.last_name.focus();
    } finally {
      button.disabled = false;
      button.textContent = "Text me a code";
    }
  });
}
