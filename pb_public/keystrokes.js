// Records how a message was written, as the keystroke history that the
// server stores in character_history and internal/keystrokes replays:
//
//   plain characters are typed at the cursor ("<<" is a literal "<"),
//   <BS> and <DEL> delete before and after the cursor (or the selection),
//   <@N> moves the cursor and <@N-M> selects N..M, both in code points,
//   <PASTE>…</PASTE> wraps pasted text and <CUT> deletes the selection.
//
// The recorder never reads keys. It compares the textarea's value before and
// after every `input` event (common prefix and suffix give the replaced range
// and the inserted text), so autocorrect, IME composition, drag and drop and
// on-screen keyboards are recorded as the edits they made.

/** Splits text into code points, the unit of every position in a history. */
function codePoints(text) {
  return Array.from(text);
}

function escapeTyped(points) {
  return points.map((c) => (c === "<" ? "<<" : c)).join("");
}

/**
 * KeystrokeRecorder follows one textarea from empty to sent. Call reset()
 * after sending; read history and secondsSinceFirstInput() when sending.
 */
export class KeystrokeRecorder {
  constructor() {
    this.reset();
  }

  /** Starts a new message: empty text, cursor at 0, no history. */
  reset(text = "") {
    this.text = codePoints(text);
    this.cursor = this.text.length;
    this.history = text ? escapeTyped(this.text) : "";
    this.firstInputAt = null;
  }

  /** Seconds from the first recorded edit to now, or 0 if nothing was typed. */
  secondsSinceFirstInput(now = performance.now()) {
    if (this.firstInputAt === null) {
      return 0;
    }
    return Math.max(0, Math.round((now - this.firstInputAt) / 100) / 10);
  }

  /**
   * Records the edit that turned the previous value into value.
   * inputType is InputEvent.inputType; caret is the textarea's selectionEnd
   * after the edit, in UTF-16 units, used to place an edit among repeated
   * characters where it really happened.
   */
  record(value, inputType = "", caret = null) {
    if (this.firstInputAt === null) {
      this.firstInputAt = performance.now();
    }
    const before = this.text;
    const after = codePoints(value);
    const caretPoints = caret === null ? after.length : codePoints(value.slice(0, caret)).length;

    // The text after the caret was not touched, so the common suffix may not
    // reach before it; the common prefix may not overlap the suffix.
    let suffix = 0;
    const suffixLimit = Math.min(before.length, after.length, after.length - caretPoints);
    while (suffix < suffixLimit && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) {
      suffix++;
    }
    let prefix = 0;
    const prefixLimit = Math.min(before.length - suffix, after.length - suffix);
    while (prefix < prefixLimit && before[prefix] === after[prefix]) {
      prefix++;
    }
    const removedEnd = before.length - suffix;
    const inserted = after.slice(prefix, after.length - suffix);
    const removedCount = removedEnd - prefix;

    this.history += this.tokensFor(prefix, removedEnd, removedCount, inserted, inputType);
    this.text = after;
    this.cursor = prefix + inserted.length;
  }

  tokensFor(start, end, removedCount, inserted, inputType) {
    const pasted = inputType === "insertFromPaste" || inputType === "insertFromPasteAsQuotation";
    const typed = pasted ? `<PASTE>${escapeTyped(inserted)}</PASTE>` : escapeTyped(inserted);

    if (removedCount === 0) {
      if (inserted.length === 0) {
        return "";
      }
      return this.moveTo(start) + typed;
    }

    if (inserted.length === 0 && removedCount === 1) {
      if (inputType === "deleteContentForward") {
        return this.moveTo(start) + "<DEL>";
      }
      if (inputType !== "deleteByCut") {
        return this.moveTo(end) + "<BS>";
      }
    }

    const select = `<@${start}-${end}>`;
    if (inserted.length > 0) {
      return select + typed;
    }
    return select + (inputType === "deleteByCut" ? "<CUT>" : "<BS>");
  }

  moveTo(position) {
    return position === this.cursor ? "" : `<@${position}>`;
  }
}
