// The home screen: the person's sessions with their dates in the viewer's
// time zone, each session's assessments (survey links and the in-app
// location check-in), surveys still to do from earlier sessions, and the
// button that enters a session.
import { html, render } from "../html.js";
import { call, explain, fieldErrors, isOffline } from "../api.js";
import { navigate } from "../app.js";
import { formatDateTime, isoTime } from "../format.js";
import { signOut } from "./sign-out.js";

const statusLabels = { open: "Open now", scheduled: "Not open yet", closed: "Closed" };
const refreshSeconds = 30;

/** Mounts the home screen. */
export async function mount(root) {
  render(root, html`
    <section class="home">
      <header class="page-head">
        <h1>Your sessions</h1>
        <p class="who" id="who"></p>
        <button type="button" id="sign-out">Sign out</button>
      </header>
      <p id="home-error" class="form-error" role="alert" hidden></p>
      <div id="action-items"></div>
      <div id="sessions" aria-busy="true"><p>Loading…</p></div>
    </section>`);

  const errorBox = root.querySelector("#home-error");
  root.querySelector("#sign-out").addEventListener("click", () => signOut());

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  async function load() {
    try {
      const [me, home] = await Promise.all([call("GET", "/api/me"), call("GET", "/api/me/therapy-sessions")]);
      root.querySelector("#who").textContent = `Signed in as ${me.alias}${me.role === "therapist" ? " (therapist)" : ""}.`;
      renderActionItems(root.querySelector("#action-items"), home.action_items || []);
      renderSessions(root.querySelector("#sessions"), home.therapy_sessions || [], { load, showError });
      showError("");
    } catch (err) {
      if (err.status !== 401) {
        showError(explain(err, "Loading your sessions"));
      }
    }
  }

  await load();

  // Refresh while the screen is open so that a session opening shows up,
  // but never while the person is typing into a check-in field.
  const refresh = () => {
    const typing = root.contains(document.activeElement) && document.activeElement.matches("input, textarea");
    if (!document.hidden && !typing) {
      load();
    }
  };
  const timer = setInterval(refresh, refreshSeconds * 1000);
  document.addEventListener("visibilitychange", refresh);
  window.addEventListener("online", refresh);
  return () => {
    clearInterval(timer);
    document.removeEventListener("visibilitychange", refresh);
    window.removeEventListener("online", refresh);
  };
}

function renderActionItems(target, items) {
  if (!items.length) {
    render(target, "");
    return;
  }
  render(target, html`
    <section class="card action-items" aria-labelledby="action-items-title">
      <h2 id="action-items-title">Still to do from earlier sessions</h2>
      <ul>
        ${items.map((item) => html`
          <li>
            <span>${item.name}</span> <span class="muted">(${item.therapy_session_name}${item.date ? `, ${formatDateTime(item.date)}` : ""})</span>
            ${item.url ? html`<a href="${item.url}" target="_blank" rel="noopener noreferrer">Open survey<span class="visually-hidden"> ${item.name} (opens in a new tab)</span></a>` : ""}
          </li>`)}
      </ul>
    </section>`);
}

function renderSessions(target, sessions, actions) {
  target.removeAttribute("aria-busy");
  if (!sessions.length) {
    render(target, html`<p>You have no sessions yet. Your study team will add you to one.</p>`);
    return;
  }
  render(target, sessions.map((session) => sessionCard(session)));
  for (const session of sessions) {
    const card = target.querySelector(`[data-session="${CSS.escape(session.id)}"]`);
    bindSession(card, session, actions);
  }
}

function sessionCard(session) {
  const therapist = session.role === "therapist";
  const canEnter = therapist ? session.status !== "closed" : session.status === "open";
  return html`
    <article class="card session" data-session="${session.id}" aria-labelledby="title-${session.id}">
      <h2 id="title-${session.id}">${session.name}</h2>
      <p>
        <time datetime="${isoTime(session.date)}">${formatDateTime(session.date) || "Date to be announced"}</time>
        <span class="badge" data-status="${session.status}">${statusLabels[session.status] || session.status}</span>
      </p>
      ${session.assessments?.length ? html`
        <h3>${therapist ? "Check-ins and surveys" : "Before and after the session"}</h3>
        <ul class="assessments">${session.assessments.map((a) => assessmentItem(session, a, therapist))}</ul>` : ""}
      <div class="enter-problem" role="alert" hidden></div>
      ${canEnter ? html`<button type="button" class="primary wide enter">Enter ${session.name}</button>` : ""}
    </article>`;
}

function assessmentItem(session, assessment, therapist) {
  const when = assessment.timing === "after" ? "after the session" : "before the session";
  if (therapist) {
    const counts = assessment.participants !== undefined
      ? `${assessment.completed ?? 0} of ${assessment.participants} done`
      : "";
    return html`<li><strong>${assessment.name}</strong> <span class="muted">(${when})</span> ${counts}</li>`;
  }
  const done = assessment.status === "complete";
  return html`
    <li data-assessment="${assessment.id}">
      <strong>${assessment.name}</strong>
      <span class="muted">(${when}${assessment.required_to_enter ? ", needed to enter" : ""})</span>
      <span class="state" data-done="${done}">${done ? "Done" : "To do"}</span>
      ${done && assessment.kind === "location" && assessment.answer ? html`<span class="muted">You said: ${assessment.answer}</span>` : ""}
      ${!done && assessment.kind === "survey" && assessment.url
        ? html`<a href="${assessment.url}" target="_blank" rel="noopener noreferrer">Open survey<span class="visually-hidden"> ${assessment.name} (opens in a new tab)</span></a>` : ""}
      ${!done && assessment.kind === "location" ? checkInForm(session, assessment) : ""}
    </li>`;
}

function checkInForm(session, assessment) {
  const id = `check-in-${session.id}-${assessment.id}`;
  return html`
    <form class="check-in" data-assessment="${assessment.id}" novalidate>
      <label for="${id}">Where are you right now?</label>
      <p class="hint" id="${id}-hint">For example: at home, at work, in a car (parked).</p>
      <input id="${id}" name="answer" type="text" maxlength="200" required autocomplete="off"
        aria-describedby="${id}-hint ${id}-error">
      <p id="${id}-error" class="field-error" hidden></p>
      <button type="submit">Check in</button>
    </form>`;
}

function bindSession(card, session, { load }) {
  for (const form of card.querySelectorAll("form.check-in")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = form.answer;
      const error = form.querySelector(".field-error");
      const answer = input.value.trim();
      if (!answer) {
        error.textContent = "Say where you are.";
        error.hidden = false;
        input.focus();
        return;
      }
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        await call("POST", `/api/therapy-sessions/${encodeURIComponent(session.id)}/assessments/${encodeURIComponent(form.dataset.assessment)}/check-in`, { answer });
        await load();
        card.ownerDocument.querySelector(`[data-session="${CSS.escape(session.id)}"] h2`)?.focus();
      } catch (err) {
        error.textContent = fieldErrors(err).answer || explain(err, "Checking in");
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.focus();
      } finally {
        button.disabled = false;
      }
    });
  }

  const enter = card.querySelector("button.enter");
  if (!enter) {
    return;
  }
  const problem = card.querySelector(".enter-problem");
  enter.addEventListener("click", async () => {
    enter.disabled = true;
    problem.hidden = true;
    try {
      await call("POST", `/api/therapy-sessions/${encodeURIComponent(session.id)}/enter`);
      navigate(`#/room/${session.id}`);
    } catch (err) {
      const missing = err.status === 409 ? missingAssessments(err) : [];
      render(problem, html`
        <p>${isOffline(err) ? explain(err) : explain(err, "Entering")}</p>
        ${missing.length ? html`<p>Still to do:</p><ul>${missing.map((m) => html`<li>${m.name}</li>`)}</ul>` : ""}`);
      problem.hidden = false;
      enter.disabled = false;
    }
  });
}

function missingAssessments(err) {
  const data = err?.response?.data;
  const list = Array.isArray(data) ? data : data?.missing_assessments;
  return Array.isArray(list) ? list.filter((item) => item && item.name) : [];
}
