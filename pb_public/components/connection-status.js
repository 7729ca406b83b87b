// <connection-status>: says whether the room is live, reconnecting or
// offline, in words and not only in colour. It is a live region, so a
// screen reader announces changes.
const labels = {
  connecting: "Connecting…",
  live: "Connected",
  reconnecting: "Reconnecting… your messages are kept and will be sent.",
  offline: "Offline. Your messages are kept and will be sent when you are back online.",
};

class ConnectionStatus extends HTMLElement {
  connectedCallback() {
    this.setAttribute("role", "status");
    this.setAttribute("aria-live", "polite");
    this.classList.add("connection");
    if (!this.state) {
      this.set("connecting");
    }
  }

  /** Sets the state: one of connecting, live, reconnecting, offline. */
  set(state) {
    if (state === this.state) {
      return;
    }
    this.state = state;
    this.dataset.state = state;
    this.textContent = labels[state] || state;
  }
}

customElements.define("connection-status", ConnectionStatus);
