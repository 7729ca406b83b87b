// Command minsse is the benchmark's floor for realtime delivery: an SSE
// fan-out server with no database, no auth and no encoding beyond one JSON
// object per message. Hearth's and PocketBase's delivery figures are divided
// by this server's figures from the same run.
//
//	GET  /events?room=R          opens an SSE stream of room R's messages
//	POST /rooms/{room}/messages  sends the request body as text to room R
//
// Each message gets a per-room sequence number "id", assigned and queued to
// every subscriber under one lock, so each stream receives its room in order.
package main

import (
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/http"
	"strconv"
	"sync"
)

// clientBuffer is how many messages a slow stream may fall behind before
// the server drops it, rather than blocking the room.
const clientBuffer = 256

type room struct {
	mu      sync.Mutex
	seq     int64
	clients map[chan []byte]struct{}
}

type server struct {
	mu    sync.Mutex
	rooms map[string]*room
}

func (s *server) room(name string) *room {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rooms[name]
	if r == nil {
		r = &room{clients: map[chan []byte]struct{}{}}
		s.rooms[name] = r
	}
	return r
}

func (s *server) events(w http.ResponseWriter, req *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "Streaming is not supported.", http.StatusInternalServerError)
		return
	}
	r := s.room(req.URL.Query().Get("room"))
	messages := make(chan []byte, clientBuffer)
	r.mu.Lock()
	r.clients[messages] = struct{}{}
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.clients, messages)
		r.mu.Unlock()
	}()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, ": connected\n\n")
	flusher.Flush()

	for {
		select {
		case <-req.Context().Done():
			return
		case data, open := <-messages:
			if !open {
				return
			}
			if _, err := w.Write(data); err != nil {
				return
			}
			flusher.Flush()
		}
	}
}

func (s *server) post(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
	if err != nil {
		http.Error(w, "Failed to read the request body.", http.StatusBadRequest)
		return
	}
	text, _ := json.Marshal(string(body))
	r := s.room(req.PathValue("room"))

	r.mu.Lock()
	r.seq++
	id := r.seq
	event := []byte("event:message\ndata:{\"id\":" + strconv.FormatInt(id, 10) + ",\"body\":" + string(text) + "}\n\n")
	for client := range r.clients {
		select {
		case client <- event:
		default:
			// A stream this far behind is dropped; the benchmark counts
			// what it then misses as lost.
			delete(r.clients, client)
			close(client)
		}
	}
	r.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"id":`+strconv.FormatInt(id, 10)+"}")
}

func main() {
	addr := flag.String("http", "127.0.0.1:8095", "TCP address to listen on")
	flag.Parse()

	s := &server{rooms: map[string]*room{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("POST /rooms/{room}/messages", s.post)
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	log.Fatal(http.ListenAndServe(*addr, mux))
}
