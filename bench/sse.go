package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// delivery is one benchmark message as one reader received it.
type delivery struct {
	sender    int
	senderSeq int64
	serverSeq int64
	latency   time.Duration
}

// stream is one person's open event stream, read by its own goroutine.
type stream struct {
	person int
	// opened is how long opening and subscribing took.
	opened time.Duration
	cancel context.CancelFunc
	done   chan struct{}

	mu         sync.Mutex // guards deliveries
	deliveries []delivery
	ended      atomic.Int64 // Hearth "ended" control messages
	malformed  atomic.Int64 // events that did not parse
	lastSeq    int64        // highest server sequence number seen; read it after done
	readErr    error        // the error that stopped reading; read it after done
	// received counts deliveries so that other goroutines can watch
	// progress without the lock.
	received atomic.Int64
}

// openStream opens person p's stream and subscribes it to their room. It
// returns once the server has registered the subscription, so a message
// posted afterwards must reach it.
func openStream(s *system, p int, timeout time.Duration) (*stream, error) {
	began := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	st := &stream{person: p, cancel: cancel, done: make(chan struct{})}
	fail := func(err error) (*stream, error) {
		cancel()
		return nil, fmt.Errorf("open stream of person %d: %w", p, err)
	}

	request, err := http.NewRequestWithContext(ctx, http.MethodGet, s.proc.base+s.streamPath(p), nil)
	if err != nil {
		return fail(err)
	}
	timer := time.AfterFunc(timeout, cancel)
	response, err := s.client.Do(request)
	if err != nil {
		return fail(err)
	}
	if response.StatusCode != http.StatusOK {
		response.Body.Close()
		return fail(fmt.Errorf("status %d", response.StatusCode))
	}
	reader := bufio.NewReaderSize(response.Body, 4096)

	if s.name != minSSESystem {
		name, data, err := readEvent(reader)
		if err != nil || name != "PB_CONNECT" {
			response.Body.Close()
			return fail(fmt.Errorf("no PB_CONNECT event: %v", err))
		}
		var connect struct {
			ClientID string `json:"clientId"`
		}
		if err := json.Unmarshal(data, &connect); err != nil {
			response.Body.Close()
			return fail(err)
		}
		form := map[string]any{"clientId": connect.ClientID, "subscriptions": []string{s.subscription(p)}}
		if _, err := s.call(ctx, http.MethodPost, "/api/realtime", s.token(p), form); err != nil {
			response.Body.Close()
			return fail(fmt.Errorf("subscribe: %w", err))
		}
	}
	if !timer.Stop() {
		response.Body.Close()
		return fail(fmt.Errorf("timed out after %s", timeout))
	}

	st.opened = time.Since(began)
	go func() {
		defer close(st.done)
		defer response.Body.Close()
		for {
			_, data, err := readEvent(reader)
			if err != nil {
				if ctx.Err() == nil {
					st.readErr = err
				}
				return
			}
			received := time.Now()
			st.record(s, data, received)
		}
	}()
	return st, nil
}

// record parses one event and, for a benchmark message, stores its delivery.
func (st *stream) record(s *system, data []byte, received time.Time) {
	if len(data) == 0 {
		return
	}
	event, err := s.parseEvent(data)
	if err != nil {
		st.malformed.Add(1)
		return
	}
	if event.Ended {
		st.ended.Add(1)
		return
	}
	st.lastSeq = max(st.lastSeq, event.ServerSeq)
	fields := strings.Fields(event.Body)
	if len(fields) != 4 || fields[0] != "bench" {
		return // a join notice or other action the benchmark did not post
	}
	sender, err1 := strconv.Atoi(fields[1])
	seq, err2 := strconv.ParseInt(fields[2], 10, 64)
	sent, err3 := strconv.ParseInt(fields[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		st.malformed.Add(1)
		return
	}
	st.mu.Lock()
	st.deliveries = append(st.deliveries, delivery{
		sender: sender, senderSeq: seq, serverSeq: event.ServerSeq,
		latency: received.Sub(time.Unix(0, sent)),
	})
	st.mu.Unlock()
	st.received.Add(1)
}

// take returns the deliveries received since the last take and clears them.
func (st *stream) take() []delivery {
	st.mu.Lock()
	defer st.mu.Unlock()
	taken := st.deliveries
	st.deliveries = nil
	return taken
}

// readEvent reads one server-sent event and returns its name and data.
// Comment lines and events without data are skipped.
func readEvent(reader *bufio.Reader) (name string, data []byte, err error) {
	var buffer bytes.Buffer
	for {
		line, err := reader.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A long data line: keep reading until its end.
			rest, err := reader.ReadBytes('\n')
			line = append(append([]byte{}, line...), rest...)
			if err != nil {
				return "", nil, err
			}
		} else if err != nil {
			return "", nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0:
			if buffer.Len() > 0 || name != "" {
				return name, buffer.Bytes(), nil
			}
		case line[0] == ':':
		case bytes.HasPrefix(line, []byte("event:")):
			name = string(bytes.TrimSpace(line[len("event:"):]))
		case bytes.HasPrefix(line, []byte("data:")):
			if buffer.Len() > 0 {
				buffer.WriteByte('\n')
			}
			buffer.Write(bytes.TrimPrefix(line[len("data:"):], []byte(" ")))
		}
	}
}
