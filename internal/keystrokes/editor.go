package keystrokes

// editor is the text being replayed, kept in a gap buffer: buf[:gapStart] and
// buf[gapEnd:] are the text, and edits happen at the gap. Moving the gap costs
// the distance moved, so a long history of edits at one place stays linear
// instead of copying the whole text on every keystroke.
type editor struct {
	buf              []rune
	gapStart, gapEnd int

	// cursor and anchor are positions in the text. They differ while text
	// is selected; the selection is the range between them.
	cursor, anchor int
}

func newEditor(capacity int) *editor {
	capacity = max(capacity, 16)
	return &editor{buf: make([]rune, capacity), gapEnd: capacity}
}

func (e *editor) length() int {
	return len(e.buf) - (e.gapEnd - e.gapStart)
}

func (e *editor) String() string {
	text := make([]rune, 0, e.length())
	text = append(text, e.buf[:e.gapStart]...)
	text = append(text, e.buf[e.gapEnd:]...)
	return string(text)
}

// selection returns the selected range, start first.
func (e *editor) selection() (int, int) {
	return min(e.cursor, e.anchor), max(e.cursor, e.anchor)
}

// insert types r at the cursor, replacing the selection.
func (e *editor) insert(r rune) {
	e.deleteSelection()
	e.moveGap(e.cursor)
	if e.gapStart == e.gapEnd {
		e.grow()
	}
	e.buf[e.gapStart] = r
	e.gapStart++
	e.cursor++
	e.anchor = e.cursor
}

func (e *editor) backspace() {
	if e.cursor != e.anchor {
		e.deleteSelection()
		return
	}
	if e.cursor == 0 {
		return
	}
	e.deleteRange(e.cursor-1, e.cursor)
}

func (e *editor) deleteForward() {
	if e.cursor != e.anchor {
		e.deleteSelection()
		return
	}
	if e.cursor == e.length() {
		return
	}
	e.deleteRange(e.cursor, e.cursor+1)
}

func (e *editor) deleteSelection() {
	start, end := e.selection()
	if start == end {
		return
	}
	e.deleteRange(start, end)
}

// deleteRange removes the code points in [start, end) and leaves the cursor
// at start with no selection.
func (e *editor) deleteRange(start, end int) {
	e.moveGap(start)
	e.gapEnd += end - start
	e.cursor, e.anchor = start, start
}

// moveGap moves the gap so that it starts at text position pos.
func (e *editor) moveGap(pos int) {
	switch {
	case pos < e.gapStart:
		moved := e.gapStart - pos
		copy(e.buf[e.gapEnd-moved:e.gapEnd], e.buf[pos:e.gapStart])
		e.gapStart -= moved
		e.gapEnd -= moved
	case pos > e.gapStart:
		moved := pos - e.gapStart
		copy(e.buf[e.gapStart:e.gapStart+moved], e.buf[e.gapEnd:e.gapEnd+moved])
		e.gapStart += moved
		e.gapEnd += moved
	}
}

func (e *editor) grow() {
	bigger := make([]rune, 2*len(e.buf))
	copy(bigger, e.buf[:e.gapStart])
	tail := len(e.buf) - e.gapEnd
	copy(bigger[len(bigger)-tail:], e.buf[e.gapEnd:])
	e.gapEnd = len(bigger) - tail
	e.buf = bigger
}
