// <compose-box>: the message field and its send button. It records the
// keystroke history and the time from the first keystroke to sending, and
// fires a "compose-send" event with {body, time_to_complete,
// character_history}. Enter sends; Shift+Enter starts a new line.
import { html, render } from "../html.js";
import { KeystrokeRecorder } from "../keystrokes.js";

const maxBody = 4000;

class ComposeBox extends HTMLElement {
  connectedCallback() {
    if (this.textarea) {
      return;
    }
    const label = this.getAttribute("label") || "Message";
    render(this, html`
      <form class="compose">
        <label for="compose-text">${label}</label>
        <div class="compose-row">
          <textarea id="compose-text" name="body" rows="2" maxlength="${maxBody}"
            autocomplete="off" aria-describedby="compose-hint"></textarea>
          <button type="submit" class="primary">Send</button>
        </div>
        <p id="compose-hint" class="hint">Enter sends. Shift+Enter starts a new line.</p>
      </form>`);
    this.textarea = this.querySelector("textarea");
    this.recorder = new KeystrokeRecorder();

    this.textarea.addEventListener("input", (event) => {
      this.recorder.record(this.textarea.value, event.inputType || "", this.textarea.selectionEnd);
    });
    this.textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
  }

  /** Sends the current text, if any, and starts a new message. */
  send() {
    const body = this.textarea.value;
    if (!body.trim()) {
      this.textarea.focus();
      return;
    }
    const detail = {
      body,
      time_to_complete: this.recorder.secondsSinceFirstInput(),
      character_history: this.recorder.history,
    };
    this.textarea.value = "";
    this.recorder.reset();
    this.dispatchEvent(new CustomEvent("compose-send", { detail, bubbles: true }));
    this.textarea.focus();
  }

  /** Enables or disables typing, e.g. while the session is closed. */
  set disabled(value) {
    this.textarea.disabled = value;
    this.querySelector("button").disabled = value;
  }
}

customElements.define("compose-box", ComposeBox);
