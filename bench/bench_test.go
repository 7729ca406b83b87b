package main

import (
	"bufio"
	"strings"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	sorted := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	cases := []struct {
		q    float64
		want time.Duration
	}{
		{0, 1}, {0.5, 5}, {0.9, 9}, {0.99, 10}, {1, 10},
	}
	for _, c := range cases {
		if got := percentile(sorted, c.q); got != c.want {
			t.Errorf("percentile(1…10, %v): got %v, want %v", c.q, got, c.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile of empty: got %v, want 0", got)
	}
}

func TestSpreadMedianMinMax(t *testing.T) {
	cases := []struct {
		in                []float64
		median, low, high float64
	}{
		{[]float64{3}, 3, 3, 3},
		{[]float64{5, 1, 3}, 3, 1, 5},
		{[]float64{4, 1, 3, 2}, 2.5, 1, 4},
	}
	for i, c := range cases {
		median, low, high := spread(c.in)
		if median != c.median || low != c.low || high != c.high {
			t.Errorf("%d: spread(%v) = %v, %v, %v; want %v, %v, %v", i, c.in, median, low, high, c.median, c.low, c.high)
		}
	}
}

func TestReadEventSkipsComments(t *testing.T) {
	input := ": connected\n\nid:abc\nevent:PB_CONNECT\ndata:{\"clientId\":\"abc\"}\n\nevent:message\ndata:one\ndata:two\n\n"
	reader := bufio.NewReader(strings.NewReader(input))

	name, data, err := readEvent(reader)
	if err != nil || name != "PB_CONNECT" || string(data) != `{"clientId":"abc"}` {
		t.Errorf("first event: got %q %q %v", name, data, err)
	}
	name, data, err = readEvent(reader)
	if err != nil || name != "message" || string(data) != "one\ntwo" {
		t.Errorf("second event: got %q %q %v", name, data, err)
	}
	if _, _, err := readEvent(reader); err == nil {
		t.Errorf("read past the end: got no error")
	}
}

func TestStreamRecordsBenchMessages(t *testing.T) {
	s := &system{name: hearthSystem}
	st := &stream{done: make(chan struct{})}
	sent := time.Now().Add(-5 * time.Millisecond).UnixNano()

	st.record(s, []byte(`{"id":7,"type":"message","body":"bench 3 2 `+itoa(int(sent))+`"}`), time.Now())
	st.record(s, []byte(`{"id":8,"type":"notice","body":"P1 joined"}`), time.Now())
	st.record(s, []byte(`{"type":"ended","reason":"left"}`), time.Now())
	st.record(s, []byte(`not json`), time.Now())

	deliveries := st.take()
	if len(deliveries) != 1 {
		t.Fatalf("deliveries: got %d, want 1", len(deliveries))
	}
	d := deliveries[0]
	if d.sender != 3 || d.senderSeq != 2 || d.serverSeq != 7 {
		t.Errorf("delivery: got %+v, want sender 3, seq 2, server seq 7", d)
	}
	if d.latency < 5*time.Millisecond {
		t.Errorf("latency: got %v, want at least 5ms", d.latency)
	}
	if st.lastSeq != 8 {
		t.Errorf("last sequence number: got %d, want 8", st.lastSeq)
	}
	if st.ended.Load() != 1 || st.malformed.Load() != 1 {
		t.Errorf("ended %d, malformed %d; want 1 and 1", st.ended.Load(), st.malformed.Load())
	}
}
