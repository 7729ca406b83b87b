// <flash-message>: one line of news for the person, such as why they were
// sent back to sign-in. It is a polite live region, so screen readers read
// it without moving focus.
class FlashMessage extends HTMLElement {
  connectedCallback() {
    this.setAttribute("role", "status");
    this.setAttribute("aria-live", "polite");
    this.classList.add("flash");
    this.hidden = !this.textContent.trim();
  }

  /** Shows text, or hides the element when text is empty. */
  show(text, tone = "info") {
    this.textContent = text;
    this.dataset.tone = tone;
    this.hidden = !text;
  }
}

customElements.define("flash-message", FlashMessage);
