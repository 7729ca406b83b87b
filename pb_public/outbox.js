// The outbox keeps every action a person sends until the server has saved
// it. Items are stored in localStorage, so a dropped connection, a reload or
// a phone that kills the tab loses nothing, and are sent with retries and a
// growing delay. Each item carries a client_id from crypto.randomUUID(). The
// server saves an item at most once per client_id, so resending after a lost
// response never makes a second copy.
import { isOffline } from "./api.js";

const prefix = "hearth.outbox.";
const maxBatch = 100;
const firstDelayMs = 1000;
const maxDelayMs = 30000;

/** Removes every stored outbox, e.g. when a person signs out. */
export function forgetAllOutboxes() {
  for (const key of Object.keys(localStorage)) {
    if (key.startsWith(prefix)) {
      localStorage.removeItem(key);
    }
  }
}

/** Returns a new unique client_id. */
export function newClientID() {
  if (crypto.randomUUID) {
    return crypto.randomUUID();
  }
  // crypto.randomUUID needs a secure context; plain http on a LAN address
  // is not one, so fall back to 16 random bytes.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// isClientIDConflict reports a 409 that names an item's client_id as used
// for other content, as opposed to a 409 for a closed or left session.
function isClientIDConflict(err) {
  const data = err?.status === 409 ? err.response?.data : null;
  return !!data && Object.values(data).some((field) => field && typeof field === "object" && "client_id" in field);
}

/**
 * Outbox sends one person's actions for one therapy session.
 *
 * send(items) posts a batch and resolves with the server's response.
 * onSaved(actions) receives the saved actions of each successful batch.
 * onRejected(item, err) receives an item the server rejected (400, or a
 * client_id conflict). The item is dropped, because resending it would fail
 * the same way.
 * onStop(err) receives the error that stopped sending (401, 403, 409). The
 * items stay stored and are sent on the next flush().
 * onChange() runs whenever the set of waiting items changes.
 */
export class Outbox {
  constructor(key, { send, onSaved, onRejected, onStop, onChange }) {
    this.key = prefix + key;
    this.send = send;
    this.onSaved = onSaved;
    this.onRejected = onRejected;
    this.onStop = onStop;
    this.onChange = onChange || (() => {});
    this.sending = false;
    this.delayMs = firstDelayMs;
    this.timer = null;
    this.stopped = false;
  }

  /** Returns the waiting items, oldest first. */
  items() {
    try {
      const items = JSON.parse(localStorage.getItem(this.key));
      return Array.isArray(items) ? items : [];
    } catch {
      return [];
    }
  }

  save(items) {
    if (items.length) {
      localStorage.setItem(this.key, JSON.stringify(items));
    } else {
      localStorage.removeItem(this.key);
    }
    this.onChange();
  }

  /**
   * Adds an action ({type, ...fields}) and starts sending it. A newer read
   * marker replaces a waiting one, since only the latest matters.
   */
  add(fields) {
    const item = { client_id: newClientID(), client_ts: new Date().toISOString(), ...fields };
    let items = this.items();
    if (item.type === "message_read") {
      items = items.filter((waiting) => waiting.type !== "message_read");
    }
    items.push(item);
    this.save(items);
    this.flush();
    return item;
  }

  /** Drops a waiting item that the person chose not to send. */
  discard(clientID) {
    this.save(this.items().filter((item) => item.client_id !== clientID));
  }

  /** Sends what is waiting now, resetting the retry delay. */
  flush() {
    this.stopped = false;
    this.delayMs = firstDelayMs;
    clearTimeout(this.timer);
    this.timer = null;
    this.sendWaiting();
  }

  /** Stops retrying until the next flush(). */
  close() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  async sendWaiting() {
    if (this.sending || this.stopped) {
      return;
    }
    const batch = this.items().slice(0, maxBatch);
    if (!batch.length) {
      return;
    }
    this.sending = true;
    let again = false;
    try {
      const answer = await this.send(batch);
      this.removeSent(batch);
      this.onSaved(answer.actions || []);
      this.delayMs = firstDelayMs;
      again = true;
    } catch (err) {
      again = await this.handleFailure(batch, err);
    } finally {
      this.sending = false;
    }
    if (again && !this.stopped) {
      this.sendWaiting();
    }
  }

  removeSent(batch) {
    const sent = new Set(batch.map((item) => item.client_id));
    this.save(this.items().filter((item) => !sent.has(item.client_id)));
  }

  // handleFailure decides what a failed batch means and returns whether to
  // send again at once.
  async handleFailure(batch, err) {
    if (isOffline(err) || err.status >= 500 || err.status === 429) {
      this.retryLater();
      return false;
    }
    if (err.status === 400 || isClientIDConflict(err)) {
      if (batch.length > 1) {
        // The server saves a batch whole or not at all, so one bad item
        // holds up the rest: send them one by one to find it.
        return this.sendOneByOne(batch);
      }
      this.removeSent(batch);
      this.onRejected(batch[0], err);
      return true;
    }
    this.stopped = true;
    this.onStop(err);
    return false;
  }

  async sendOneByOne(batch) {
    for (const item of batch) {
      try {
        const answer = await this.send([item]);
        this.removeSent([item]);
        this.onSaved(answer.actions || []);
      } catch (err) {
        if (err.status === 400 || isClientIDConflict(err)) {
          this.removeSent([item]);
          this.onRejected(item, err);
          continue;
        }
        return this.handleFailure([item], err);
      }
    }
    return true;
  }

  retryLater() {
    clearTimeout(this.timer);
    // Jitter spreads the retries of a whole group coming back online.
    const delay = this.delayMs * (0.75 + Math.random() * 0.5);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sendWaiting();
    }, delay);
    this.delayMs = Math.min(this.delayMs * 2, maxDelayMs);
  }
}
