// The panels around the room's message list: the whiteboard, who is present,
// and the therapist's tools (open and close, notices, removing and
// readmitting participants, check-in status).
import { html, render } from "../html.js";

/** Renders the whiteboard text, with an editor for therapists. */
export function renderWhiteboard(target, text, canEdit, onSave) {
  const editing = target.querySelector("textarea");
  if (editing && document.activeElement === editing) {
    // Never replace what a therapist is typing; show the news beside it.
    target.querySelector(".whiteboard-text").textContent = text || "";
    return;
  }
  render(target, html`
    <div class="whiteboard-text" aria-live="polite">${text || ""}</div>
    ${text ? "" : html`<p class="muted empty-board">Nothing on the whiteboard yet.</p>`}
    ${canEdit ? html`
      <form class="whiteboard-edit">
        <label for="whiteboard-input">Edit the whiteboard</label>
        <textarea id="whiteboard-input" rows="4" maxlength="20000">${text || ""}</textarea>
        <button type="submit">Save whiteboard</button>
      </form>` : ""}`);
  const form = target.querySelector("form.whiteboard-edit");
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    onSave(form.querySelector("textarea").value);
  });
}

/** Renders members with whether each is here; therapists get remove/readmit. */
export function renderPeople(target, summary, detail, me, handlers) {
  const removed = new Set(detail.removed || []);
  const everyone = [...(detail.therapists || []), ...(detail.participants || [])];
  const here = everyone.filter((person) => person.present);
  summary.textContent = `People (${here.length} here)`;
  const therapist = me.role === "therapist";
  render(target, html`
    <ul class="people">
      ${everyone.map((person) => html`
        <li data-person="${person.id}">
          <span class="presence" data-present="${person.present ? "yes" : "no"}" aria-hidden="true"></span>
          <span>${person.alias}${person.id === me.id ? " (you)" : ""}</span>
          ${person.role === "therapist" ? html`<span class="tag therapist-tag">Therapist</span>` : ""}
          <span class="muted">${removed.has(person.id) ? "removed" : person.present ? "here" : "away"}</span>
          ${therapist && person.role === "participant" ? (removed.has(person.id)
            ? html`<button type="button" class="link" data-readmit="${person.id}">Readmit<span class="visually-hidden"> ${person.alias}</span></button>`
            : html`<button type="button" class="link danger" data-remove="${person.id}">Remove<span class="visually-hidden"> ${person.alias}</span></button>`) : ""}
        </li>`)}
    </ul>`);
  for (const button of target.querySelectorAll("[data-remove]")) {
    button.addEventListener("click", () => handlers.removePerson(button.dataset.remove, button));
  }
  for (const button of target.querySelectorAll("[data-readmit]")) {
    button.addEventListener("click", () => handlers.readmitPerson(button.dataset.readmit, button));
  }
}

/** Renders the open/close control and the notice form for therapists. */
export function renderTherapistTools(target, detail, handlers) {
  const statusText = { open: "open", scheduled: "not open yet", closed: "closed" }[detail.status] || detail.status;
  render(target, html`
    <p>This session is <strong>${statusText}</strong>.
      ${detail.status === "open"
        ? html`<button type="button" data-close>Close the session</button>`
        : detail.status === "scheduled" ? html`<button type="button" class="primary" data-open>Open the session</button>` : ""}
    </p>
    <form class="notice-form">
      <label for="notice-input">Post a notice to everyone</label>
      <div class="compose-row">
        <input id="notice-input" type="text" maxlength="4000" autocomplete="off">
        <button type="submit">Post notice</button>
      </div>
    </form>
    <h3>Check-ins</h3>
    <div class="check-ins"><p class="muted">Loading…</p></div>
    <button type="button" class="link" data-refresh-check-ins>Refresh check-ins</button>`);
  target.querySelector("[data-open]")?.addEventListener("click", (event) => handlers.setStatus("open", event.target));
  target.querySelector("[data-close]")?.addEventListener("click", (event) => handlers.setStatus("close", event.target));
  target.querySelector("[data-refresh-check-ins]").addEventListener("click", () => handlers.loadCheckIns());
  const form = target.querySelector(".notice-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = form.querySelector("input");
    if (input.value.trim()) {
      handlers.postNotice(input.value.trim());
      input.value = "";
    }
  });
}

/**
 * Renders who has done which assessment, from
 * GET /api/therapy-sessions/{id}/assessments.
 */
export function renderCheckIns(target, data) {
  const participants = data?.participants || [];
  if (!participants.length) {
    render(target, html`<p class="muted">No participants.</p>`);
    return;
  }
  const names = participants[0].assessments.map((a) => a.name);
  render(target, html`
    <table class="check-in-table">
      <caption class="visually-hidden">Assessments done by each participant</caption>
      <thead><tr><th scope="col">Participant</th>${names.map((name) => html`<th scope="col">${name}</th>`)}</tr></thead>
      <tbody>
        ${participants.map((p) => html`
          <tr>
            <th scope="row">${p.alias}</th>
            ${p.assessments.map((a) => html`<td data-done="${a.status === "complete" ? "yes" : "no"}">${a.status === "complete" ? (a.answer ? `Done: ${a.answer}` : "Done") : a.required_to_enter ? "Missing (needed to enter)" : "Not yet"}</td>`)}
          </tr>`)}
      </tbody>
    </table>`);
}
