// The live therapy session. Actions come from three places: a catch-up GET
// (on entering and after every reconnect), the realtime topic
// therapy-sessions/{id}, and the responses to our own POSTs. RoomLog applies
// each action once by id, so the three may overlap freely. What the person
// sends goes through the Outbox, which stores it until the server has it.
import { html, render } from "../html.js";
import { pb, call, explain, isOffline } from "../api.js";
import { navigate } from "../app.js";
import { Outbox } from "../outbox.js";
import { RoomLog } from "./room-log.js";
import { renderWhiteboard, renderPeople, renderTherapistTools, renderCheckIns } from "./room-panels.js";

const catchUpPageSize = 200;
const pollWhileDisconnectedMs = 10000;

// Destination and message for each reason a realtime delivery ends.
const endings = {
  left: { to: "#/home", message: "You left the session." },
  removed: { to: "#/home", message: "A therapist removed you from this session." },
  closed: { to: "#/home", message: "The session has ended. Thank you for taking part." },
  logout: { to: "#/", message: "You have signed out." },
  idle: { to: "#/", message: "You were signed out because there was no activity for a while. Please sign in again." },
};

/** Mounts the room for the therapy session sessionID. */
export async function mount(root, sessionID) {
  const base = `/api/therapy-sessions/${encodeURIComponent(sessionID)}`;
  render(root, html`<section class="room"><h1>Joining the session…</h1><connection-status></connection-status></section>`);

  let me;
  let detail;
  try {
    me = await call("GET", "/api/me");
    detail = await call("GET", base);
    if (!detail.inside) {
      await call("POST", `${base}/enter`);
      detail = await call("GET", base);
    }
  } catch (err) {
    if (err.status !== 401) {
      navigate("#/home", explain(err, "Entering the session"));
    }
    return;
  }

  const therapist = me.role === "therapist";
  render(root, html`
    <section class="room" aria-labelledby="room-title">
      <header class="room-head">
        <h1 id="room-title">${detail.name}</h1>
        <connection-status></connection-status>
        <button type="button" id="leave">Leave</button>
      </header>
      <details class="panel" id="whiteboard-panel" open>
        <summary>Whiteboard</summary>
        <div id="whiteboard"></div>
      </details>
      <details class="panel" id="people-panel">
        <summary id="people-summary">People</summary>
        <div id="people"></div>
      </details>
      ${therapist ? html`
        <details class="panel" id="tools-panel">
          <summary>Therapist tools</summary>
          <div id="tools"></div>
        </details>` : ""}
      <p id="room-error" class="form-error" role="alert" hidden></p>
      <h2 class="visually-hidden" id="messages-title">Messages</h2>
      <ol id="messages" class="messages" role="log" aria-live="polite" aria-relevant="additions"
        aria-labelledby="messages-title" tabindex="0">
        <li class="empty muted">No messages yet. Say hello when you are ready.</li>
      </ol>
      <div class="send-to">
        <label for="recipients">Send to</label>
        <select id="recipients"></select>
      </div>
      <compose-box label="Your message"></compose-box>
    </section>`);

  const status = root.querySelector("connection-status");
  const errorBox = root.querySelector("#room-error");
  const recipients = root.querySelector("#recipients");
  const members = new Map();
  let closed = false;
  let lastReadSent = 0;

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function setMembers() {
    for (const person of [...(detail.therapists || []), ...(detail.participants || [])]) {
      members.set(person.id, { alias: person.alias, role: person.role });
    }
    const chosen = recipients.value;
    render(recipients, html`
      <option value="">Everyone</option>
      ${[...members.entries()].filter(([id]) => id !== me.id).map(([id, person]) => html`
        <option value="${id}">Only ${person.alias}${person.role === "therapist" ? " (therapist)" : ""}</option>`)}`);
    recipients.value = members.has(chosen) ? chosen : "";
  }
  setMembers();

  // --- Leaving, ending and errors -----------------------------------------

  async function finish(to, message) {
    if (closed) return;
    closed = true;
    navigate(to, message);
  }

  function onEnded(reason) {
    const ending = endings[reason] || { to: "#/home", message: "You are no longer in the session." };
    if (ending.to === "#/") {
      pb.authStore.clear();
    }
    finish(ending.to, ending.message);
  }

  // handleRoomError decides what a refused room request means: 401 is
  // handled for every screen in api.js; 403 and 404 mean the person may not
  // be here; 409 means the session closed or they are no longer inside.
  async function handleRoomError(err) {
    if (closed || err.status === 401) return;
    if (err.status === 403 || err.status === 404) {
      finish("#/home", explain(err));
      return;
    }
    if (err.status === 409) {
      try {
        const now = await call("GET", base);
        if (now.status === "closed") {
          onEnded("closed");
          return;
        }
        if (!now.inside) {
          finish("#/home", "You are no longer in the session. Enter it again from your home page.");
          return;
        }
      } catch (again) {
        if (again.status !== 401) finish("#/home", explain(again));
        return;
      }
    }
    showError(explain(err));
  }

  // --- The log and the outbox --------------------------------------------

  const outbox = new Outbox(`${me.id}.${sessionID}`, {
    send: (items) => call("POST", `${base}/actions`, items),
    onSaved: (actions) => log.applyAll(actions),
    onRejected: (item, err) => {
      if (item.type === "post") {
        log.rejectPending(item.client_id, explain(err));
      } else if (item.type !== "message_read") {
        showError(explain(err));
      }
    },
    onStop: handleRoomError,
    onChange: () => {
      if (!navigator.onLine) log.setPendingState("Waiting for a connection…");
    },
  });

  const log = new RoomLog(root.querySelector("#messages"), me, members, {
    react: (target, icon, remove) => outbox.add({ type: "reaction", target, icon, remove }),
    remove: (target) => outbox.add({ type: "delete", target }),
    discard: (clientID) => outbox.discard(clientID),
    whiteboard: (action) => {
      detail.whiteboard = action.body;
      renderWhiteboard(root.querySelector("#whiteboard"), action.body, therapist, saveWhiteboard);
    },
    action: (action) => {
      if (action.type === "message_read" && action.user === me.id) {
        lastReadSent = Math.max(lastReadSent, Number(action.target));
      }
      if (action.type === "notice" && action.sender === "system") {
        refreshDetailSoon();
      }
    },
  });

  for (const item of outbox.items()) {
    if (item.type === "post") log.addPending(item);
  }

  // --- Panels -------------------------------------------------------------

  function saveWhiteboard(text) {
    outbox.add({ type: "whiteboard", body: text });
  }

  const personHandlers = {
    removePerson: (userID, button) => therapistCall(`${base}/remove/${encodeURIComponent(userID)}`, button),
    readmitPerson: (userID, button) => therapistCall(`${base}/readmit/${encodeURIComponent(userID)}`, button),
  };

  const toolHandlers = {
    setStatus: (change, button) => therapistCall(`${base}/${change}`, button),
    postNotice: (body) => outbox.add({ type: "notice", body }),
    loadCheckIns: async () => {
      const target = root.querySelector("#tools .check-ins");
      try {
        renderCheckIns(target, await call("GET", `${base}/assessments`));
      } catch (err) {
        if (err.status !== 401) target.textContent = explain(err, "Loading check-ins");
      }
    },
  };

  async function therapistCall(path, button) {
    button.disabled = true;
    try {
      await call("POST", path);
      showError("");
      await refreshDetail();
    } catch (err) {
      showError(explain(err));
      button.disabled = false;
    }
  }

  function renderPanels() {
    renderWhiteboard(root.querySelector("#whiteboard"), detail.whiteboard, therapist, saveWhiteboard);
    renderPeople(root.querySelector("#people"), root.querySelector("#people-summary"), detail, me, personHandlers);
    if (therapist) {
      renderTherapistTools(root.querySelector("#tools"), detail, toolHandlers);
      toolHandlers.loadCheckIns();
    }
    root.querySelector("compose-box").disabled = detail.status === "closed";
  }

  async function refreshDetail() {
    try {
      detail = await call("GET", base);
      setMembers();
      renderPanels();
    } catch (err) {
      if (!isOffline(err)) handleRoomError(err);
    }
  }

  let detailTimer = null;
  function refreshDetailSoon() {
    clearTimeout(detailTimer);
    detailTimer = setTimeout(refreshDetail, 300);
  }

  // --- Catching up and realtime -------------------------------------------

  let catchingUp = null;
  let catchUpAgain = false;

  // catchUp reads every action after the last one applied. Calls made while
  // one runs are folded into one more run after it.
  function catchUp() {
    if (catchingUp) {
      catchUpAgain = true;
      return catchingUp;
    }
    catchingUp = (async () => {
      try {
        do {
          catchUpAgain = false;
          for (;;) {
            const page = await call("GET", `${base}/actions?after=${log.lastID}&limit=${catchUpPageSize}`);
            log.applyAll(page.actions || []);
            if (!page.actions?.length || log.lastID >= page.max_id) break;
          }
        } while (catchUpAgain && !closed);
        markRead();
      } catch (err) {
        if (!isOffline(err)) handleRoomError(err);
      } finally {
        catchingUp = null;
      }
    })();
    return catchingUp;
  }

  // markRead posts a read marker up to the newest message from someone else,
  // only while the page is visible and only when that message is new.
  function markRead() {
    if (document.hidden || closed) return;
    let newest = 0;
    for (const [id, action] of log.actions) {
      if (action.type === "message" && action.user !== me.id && id > newest) newest = id;
    }
    if (newest > lastReadSent) {
      lastReadSent = newest;
      outbox.add({ type: "message_read", target: newest });
    }
  }

  const topic = `therapy-sessions/${sessionID}`;
  let connected = false;

  function onRealtime(data) {
    if (closed) return;
    if (data && data.type === "ended" && data.id === undefined) {
      pb.realtime.unsubscribe(topic);
      onEnded(data.reason);
      return;
    }
    log.applyAll([data]);
    if (log.hasGap()) {
      catchUp();
    } else {
      markRead();
    }
  }

  function onConnect() {
    if (closed) return;
    connected = true;
    status.set("live");
    showError("");
    catchUp();
    outbox.flush();
  }

  pb.realtime.onDisconnect = (active) => {
    if (closed || !active.length) return;
    connected = false;
    status.set(navigator.onLine ? "reconnecting" : "offline");
  };

  await catchUp();
  let unsubscribeConnect = () => {};
  try {
    unsubscribeConnect = await pb.realtime.subscribe("PB_CONNECT", onConnect);
    await pb.realtime.subscribe(topic, onRealtime);
    onConnect();
  } catch (err) {
    status.set(navigator.onLine ? "reconnecting" : "offline");
    if (!isOffline(err)) handleRoomError(err);
  }

  // While the realtime stream is down, poll, so that messages still arrive
  // and an ended session is still noticed.
  const poll = setInterval(() => {
    if (!connected && !document.hidden) {
      catchUp();
      outbox.flush();
    }
  }, pollWhileDisconnectedMs);

  const onOnline = () => {
    status.set(connected ? "live" : "reconnecting");
    catchUp();
    outbox.flush();
  };
  const onOffline = () => {
    status.set("offline");
    log.setPendingState("Waiting for a connection…");
  };
  const onVisible = () => {
    if (!document.hidden) {
      catchUp();
      outbox.flush();
    }
  };
  window.addEventListener("online", onOnline);
  window.addEventListener("offline", onOffline);
  document.addEventListener("visibilitychange", onVisible);

  renderPanels();

  root.querySelector("compose-box").addEventListener("compose-send", (event) => {
    const chosen = recipients.value;
    const item = outbox.add({
      type: "post",
      body: event.detail.body,
      recipients: chosen ? [chosen] : [],
      time_to_complete: event.detail.time_to_complete,
      character_history: event.detail.character_history,
    });
    log.addPending(item);
  });

  root.querySelector("#leave").addEventListener("click", async (event) => {
    event.target.disabled = true;
    try {
      closed = true;
      await pb.realtime.unsubscribe(topic);
      await call("POST", `${base}/leave`);
      navigate("#/home", "You left the session.");
    } catch (err) {
      closed = false;
      event.target.disabled = false;
      if (err.status !== 401) showError(explain(err, "Leaving"));
    }
  });

  return async () => {
    closed = true;
    clearInterval(poll);
    clearTimeout(detailTimer);
    outbox.close();
    window.removeEventListener("online", onOnline);
    window.removeEventListener("offline", onOffline);
    document.removeEventListener("visibilitychange", onVisible);
    pb.realtime.onDisconnect = undefined;
    try {
      await unsubscribeConnect();
      await pb.realtime.unsubscribe(topic);
    } catch {
      // The connection may already be gone; nothing is left to close.
    }
  };
}
