// The room's message list: applies actions from the server (catch-up pages,
// realtime, POST responses) in any order and any number of times, and renders
// messages, notices, deletions, reactions and read markers. Each action is
// applied once, by id; a message of one's own replaces its pending copy by
// client_id, so nothing shows twice.
import { html, element } from "../html.js";
import { formatTime, isoTime } from "../format.js";

/** Reaction icons the server accepts, with what they show and are called. */
export const reactionIcons = [
  { icon: "heart", glyph: "❤️", label: "Heart" },
  { icon: "thumbs_up", glyph: "👍", label: "Thumbs up" },
  { icon: "smile", glyph: "🙂", label: "Smile" },
  { icon: "sad", glyph: "😢", label: "Sad" },
  { icon: "hug", glyph: "🤗", label: "Hug" },
  { icon: "clap", glyph: "👏", label: "Clap" },
];

/**
 * RoomLog owns the list element. me is {id, role}; members maps user ids to
 * {alias, role}; handlers has react(target, icon, remove), remove(target),
 * discard(clientID), whiteboard(action) and action(action).
 */
export class RoomLog {
  constructor(list, me, members, handlers) {
    this.list = list;
    this.me = me;
    this.members = members;
    this.handlers = handlers;
    this.actions = new Map();
    this.elements = new Map();
    this.pending = new Map();
    this.reactions = new Map();
    this.reads = new Map();
    this.applied = new Set();
    this.lastContiguousID = 0;
    this.empty = list.querySelector(".empty");

    list.addEventListener("click", (event) => this.onClick(event));
  }

  /** Returns the highest id up to which every action has been applied. */
  get lastID() {
    return this.lastContiguousID;
  }

  /** Reports whether an action id beyond lastID has been applied. */
  hasGap() {
    return this.applied.size > 0;
  }

  /** Returns the highest message id, for read markers. */
  lastMessageID() {
    let last = 0;
    for (const [id, action] of this.actions) {
      if (action.type === "message" && id > last) last = id;
    }
    return last;
  }

  /** Applies a list of actions; see apply. */
  applyAll(actions) {
    const atBottom = this.isNearBottom();
    let added = false;
    for (const action of actions) {
      added = this.apply(action) || added;
    }
    if (added && atBottom) {
      this.scrollToEnd();
    }
  }

  /** Applies one action unless it was applied before; returns whether a row was added. */
  apply(action) {
    const id = Number(action?.id);
    if (!Number.isInteger(id) || id <= 0 || id <= this.lastContiguousID || this.applied.has(id)) {
      return false;
    }
    this.applied.add(id);
    while (this.applied.has(this.lastContiguousID + 1)) {
      this.lastContiguousID++;
      this.applied.delete(this.lastContiguousID);
    }

    let added = false;
    switch (action.type) {
      case "message":
        this.actions.set(id, { ...action });
        if (action.client_id && this.pending.has(action.client_id)) {
          this.pending.get(action.client_id).remove();
          this.pending.delete(action.client_id);
        }
        this.place(id, this.renderMessage(this.actions.get(id)));
        added = true;
        break;
      case "notice":
        this.actions.set(id, action);
        this.place(id, this.renderNotice(action));
        added = true;
        break;
      case "delete":
        this.markDeleted(Number(action.target));
        break;
      case "reaction":
        this.applyReaction(action);
        break;
      case "message_read":
        this.applyRead(action);
        break;
      case "whiteboard":
        this.handlers.whiteboard?.(action);
        break;
    }
    this.handlers.action?.(action);
    return added;
  }

  /** Shows an own message that is not saved yet. */
  addPending(item) {
    if (this.pending.has(item.client_id) || this.hasClientID(item.client_id)) {
      return;
    }
    const row = element(html`
      <li class="msg own pending" data-client-id="${item.client_id}">
        <p class="meta"><span class="author">You</span>${this.privateTag(this.me.id, item.recipients || [])}</p>
        <p class="body">${item.body}</p>
        <p class="send-state">Sending…</p>
      </li>`);
    this.pending.set(item.client_id, row);
    this.hideEmpty();
    this.list.append(row);
    this.scrollToEnd();
  }

  /** Marks a pending message as refused by the server, with the reason. */
  rejectPending(clientID, message) {
    const row = this.pending.get(clientID);
    if (!row) return;
    row.classList.add("failed");
    const state = row.querySelector(".send-state");
    state.replaceChildren(
      document.createTextNode(`Not sent: ${message} `),
      element(html`<button type="button" class="link" data-discard="${clientID}">Dismiss</button>`),
    );
  }

  /** Sets the words under every waiting message, e.g. while offline. */
  setPendingState(text) {
    for (const row of this.pending.values()) {
      if (!row.classList.contains("failed")) {
        row.querySelector(".send-state").textContent = text;
      }
    }
  }

  hasClientID(clientID) {
    for (const action of this.actions.values()) {
      if (action.client_id === clientID) return true;
    }
    return false;
  }

  // place inserts row in id order, replacing an older rendering of id.
  place(id, row) {
    row.dataset.id = id;
    this.hideEmpty();
    const old = this.elements.get(id);
    this.elements.set(id, row);
    if (old) {
      old.replaceWith(row);
      return;
    }
    let before = null;
    for (const child of this.list.children) {
      const childID = Number(child.dataset.id);
      if (child.dataset.clientId || childID > id) {
        before = child;
        break;
      }
    }
    this.list.insertBefore(row, before);
  }

  hideEmpty() {
    if (this.empty) {
      this.empty.remove();
      this.empty = null;
    }
  }

  aliasOf(userID, fallback) {
    return this.members.get(userID)?.alias || fallback || "Someone";
  }

  privateTag(authorID, recipients) {
    if (!recipients || !recipients.length) {
      return "";
    }
    const names = recipients.map((id) => (id === this.me.id ? "you" : this.aliasOf(id)));
    const text = authorID === this.me.id ? `Private to ${names.join(", ")}` : `Private: to ${names.join(", ")}`;
    return html` <span class="tag private">${text}</span>`;
  }

  renderMessage(action) {
    const own = action.user === this.me.id;
    const author = this.members.get(action.user);
    const fromTherapist = author?.role === "therapist";
    const canDelete = !action.deleted && (own || this.me.role === "therapist");
    const classes = ["msg", own ? "own" : "other"];
    if (fromTherapist) classes.push("therapist");
    if (action.recipients?.length) classes.push("private");
    if (action.deleted) classes.push("deleted");

    return element(html`
      <li class="${classes.join(" ")}">
        <p class="meta">
          <span class="author">${own ? "You" : action.alias || this.aliasOf(action.user)}</span>
          ${fromTherapist ? html`<span class="tag therapist-tag">Therapist</span>` : ""}
          ${this.privateTag(action.user, action.recipients)}
          <time datetime="${isoTime(action.timestamp)}">${formatTime(action.timestamp)}</time>
        </p>
        ${action.deleted
          ? html`<p class="body deleted-text">This message was deleted.</p>`
          : html`<p class="body">${action.body}</p>`}
        <div class="reactions">${action.deleted ? "" : this.reactionChips(action.id)}</div>
        ${action.deleted ? "" : html`
          <div class="msg-tools">
            <details class="react-picker">
              <summary>React<span class="visually-hidden"> to this message</span></summary>
              <div class="picker">
                ${reactionIcons.map((r) => html`
                  <button type="button" data-react="${r.icon}" aria-label="${r.label}">${r.glyph}</button>`)}
              </div>
            </details>
            ${canDelete ? html`<button type="button" class="link danger" data-delete>Delete<span class="visually-hidden"> this message</span></button>` : ""}
          </div>`}
        ${own ? html`<p class="seen">${this.seenText(action.id)}</p>` : ""}
      </li>`);
  }

  renderNotice(action) {
    const byTherapist = action.sender === "therapist";
    return element(html`
      <li class="notice${byTherapist ? " therapist-notice" : ""}">
        <p>
          ${byTherapist ? html`<strong>Notice from ${action.alias || "the therapist"}:</strong> ` : ""}
          <span class="body">${action.body}</span>
          <time datetime="${isoTime(action.timestamp)}">${formatTime(action.timestamp)}</time>
        </p>
      </li>`);
  }

  markDeleted(target) {
    const message = this.actions.get(target);
    if (!message || message.type !== "message") {
      return;
    }
    message.deleted = true;
    message.body = "";
    this.place(target, this.renderMessage(message));
  }

  applyReaction(action) {
    const target = Number(action.target);
    if (!this.reactions.has(target)) this.reactions.set(target, new Map());
    const byIcon = this.reactions.get(target);
    if (!byIcon.has(action.icon)) byIcon.set(action.icon, new Map());
    const people = byIcon.get(action.icon);
    if (action.remove) {
      people.delete(action.user);
    } else {
      people.set(action.user, action.alias || this.aliasOf(action.user));
    }
    const row = this.elements.get(target);
    const chips = row?.querySelector(".reactions");
    if (chips && !this.actions.get(target)?.deleted) {
      chips.replaceChildren(...this.reactionElements(target));
    }
  }

  /** Reports whether the viewer has reacted to target with icon. */
  hasReacted(target, icon) {
    return !!this.reactions.get(target)?.get(icon)?.has(this.me.id);
  }

  reactionChips(target) {
    const byIcon = this.reactions.get(target);
    if (!byIcon) return "";
    return reactionIcons
      .filter((r) => byIcon.get(r.icon)?.size)
      .map((r) => {
        const people = byIcon.get(r.icon);
        const mine = people.has(this.me.id);
        const names = [...people.entries()].map(([id, alias]) => (id === this.me.id ? "you" : alias));
        return html`<button type="button" class="chip" data-react="${r.icon}" aria-pressed="${mine ? "true" : "false"}"
          aria-label="${r.label} from ${names.join(", ")}${mine ? ". Press to remove yours." : ". Press to add yours."}">${r.glyph} ${people.size}</button>`;
      });
  }

  reactionElements(target) {
    const chips = this.reactionChips(target);
    return chips ? chips.map((chip) => element(chip)) : [];
  }

  applyRead(action) {
    if (action.user === this.me.id) {
      return;
    }
    const previous = this.reads.get(action.user);
    const target = Number(action.target);
    if (previous && previous.target >= target) return;
    this.reads.set(action.user, { alias: action.alias || this.aliasOf(action.user), target });
    for (const [id, message] of this.actions) {
      if (message.type === "message" && message.user === this.me.id) {
        const seen = this.elements.get(id)?.querySelector(".seen");
        if (seen) seen.textContent = this.seenText(id);
      }
    }
  }

  // seenText lists who has read up to id. A private message counts only its
  // recipients and therapists, who are the only ones who could see it.
  seenText(id) {
    const message = this.actions.get(id);
    const names = [];
    for (const [userID, read] of this.reads) {
      if (read.target < id) continue;
      if (message?.recipients?.length && !message.recipients.includes(userID) &&
          this.members.get(userID)?.role !== "therapist") continue;
      names.push(read.alias);
    }
    return names.length ? `Seen by ${names.join(", ")}` : "";
  }

  onClick(event) {
    const discard = event.target.closest("[data-discard]");
    if (discard) {
      const clientID = discard.dataset.discard;
      this.pending.get(clientID)?.remove();
      this.pending.delete(clientID);
      this.handlers.discard?.(clientID);
      return;
    }
    const row = event.target.closest("li[data-id]");
    if (!row) return;
    const target = Number(row.dataset.id);

    const react = event.target.closest("[data-react]");
    if (react) {
      const icon = react.dataset.react;
      this.handlers.react(target, icon, this.hasReacted(target, icon));
      react.closest("details")?.removeAttribute("open");
      return;
    }

    const remove = event.target.closest("[data-delete]");
    if (remove) {
      // A second press within a few seconds confirms, so one slip of the
      // thumb deletes nothing.
      if (remove.dataset.confirm === "yes") {
        remove.disabled = true;
        this.handlers.remove(target);
        return;
      }
      remove.dataset.confirm = "yes";
      remove.textContent = "Press again to delete";
      setTimeout(() => {
        if (remove.isConnected && !remove.disabled) {
          delete remove.dataset.confirm;
          remove.textContent = "Delete";
        }
      }, 4000);
    }
  }

  isNearBottom() {
    const list = this.list;
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  scrollToEnd() {
    this.list.scrollTop = this.list.scrollHeight;
  }
}
