package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/health", s.handleHealth)
	mux.HandleFunc("GET /api/scenarios", s.handleScenarios)
	mux.HandleFunc("GET /api/scenarios/{id}", s.handleScenario)
	mux.HandleFunc("GET /api/scenarios/{id}/source", s.handleSource)
	mux.HandleFunc("GET /api/runs", s.handleRuns)
	mux.HandleFunc("GET /api/runs/{id}", s.handleRun)
	mux.HandleFunc("GET /api/jobs", s.handleJobs)
	mux.HandleFunc("POST /api/jobs", s.handleSubmit)
	mux.HandleFunc("GET /api/jobs/{id}", s.handleJob)
	mux.HandleFunc("GET /api/jobs/{id}/events", s.handleJobEvents)
	mux.HandleFunc("POST /api/jobs/{id}/cancel", s.handleCancel)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		httpError(w, http.StatusNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path)
	})
	if s.opt.Assets != nil {
		files := http.FileServerFS(s.opt.Assets)
		mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.Header().Set("Allow", "GET, HEAD")
				httpError(w, http.StatusMethodNotAllowed, "method %s not allowed", r.Method)
				return
			}
			if strings.HasPrefix(r.URL.Path, "/assets/") {
				// Content-hashed names: a changed file has a new name.
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				if s.assetsZ != nil && acceptsGzip(r) {
					if enc := s.assetsZ.get(r.URL.Path[1:]); enc != nil {
						enc.serveAsset(w, r)
						return
					}
				}
			} else {
				w.Header().Set("Cache-Control", "no-cache")
			}
			files.ServeHTTP(w, r)
		}))
	}
	return s.guard(mux)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "version": s.opt.Version, "can_run": s.opt.Run != nil})
}

// ScenarioInfo is a scenario's line in the list.
type ScenarioInfo struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Origin string `json:"origin"`
}

func (s *Server) handleScenarios(w http.ResponseWriter, r *http.Request) {
	out := []ScenarioInfo{}
	for _, e := range s.reg.listScenarios() {
		out = append(out, ScenarioInfo{ID: e.ID, Name: e.Name, Origin: e.Origin})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleScenario(w http.ResponseWriter, r *http.Request) {
	e := s.reg.scenario(r.PathValue("id"))
	if e == nil {
		httpError(w, http.StatusNotFound, "no scenario %q", r.PathValue("id"))
		return
	}
	enc, err := s.views.get("s:"+e.ID, func() (any, error) { return scenarioView(e) })
	if err != nil {
		httpError(w, http.StatusUnprocessableEntity, "scenario %s: %v", e.ID, err)
		return
	}
	enc.serve(w, r)
}

// SourceLines is a window of a case file around one line, and the file's
// first line (a CSV header) when the window does not include it.
type SourceLines struct {
	File   string   `json:"file"`
	Line   int      `json:"line"`
	Header string   `json:"header,omitempty"`
	First  int      `json:"first"` // line number of Lines[0]
	Lines  []string `json:"lines"`
}

const sourceContext = 4

func (s *Server) handleSource(w http.ResponseWriter, r *http.Request) {
	e := s.reg.scenario(r.PathValue("id"))
	if e == nil {
		httpError(w, http.StatusNotFound, "no scenario %q", r.PathValue("id"))
		return
	}
	file := r.URL.Query().Get("file")
	line, err := strconv.Atoi(r.URL.Query().Get("line"))
	if err != nil || line < 1 || line > 1<<24 {
		httpError(w, http.StatusBadRequest, "line: want a line number")
		return
	}
	if file == "" || len(file) > 512 || strings.ContainsAny(file, "\\\x00:") || !filepath.IsLocal(file) {
		httpError(w, http.StatusBadRequest, "file %q: want a path inside the case folder", file)
		return
	}
	root, err := os.OpenRoot(e.Dir)
	if err != nil {
		httpError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	defer root.Close()
	f, err := root.Open(filepath.FromSlash(file))
	if err != nil {
		httpError(w, http.StatusNotFound, "%s: not readable in the case folder", file)
		return
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		httpError(w, http.StatusNotFound, "%s: not a file", file)
		return
	}
	out := SourceLines{File: file, Line: line, First: max(1, line-sourceContext), Lines: []string{}}
	sc := bufio.NewScanner(io.LimitReader(f, 64<<20))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan() && n <= line+sourceContext; n++ {
		t := sc.Text()
		if len(t) > 400 {
			t = t[:400] + "…"
		}
		if n == 1 && out.First > 1 {
			out.Header = t
		}
		if n >= out.First {
			out.Lines = append(out.Lines, t)
		}
	}
	if len(out.Lines) == 0 || out.First+len(out.Lines)-1 < line {
		httpError(w, http.StatusNotFound, "%s has no line %d", file, line)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleRuns(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.reg.listRuns())
}

func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) {
	e := s.reg.run(r.PathValue("id"))
	if e == nil {
		httpError(w, http.StatusNotFound, "no run %q", r.PathValue("id"))
		return
	}
	enc, err := s.views.get("r:"+e.ID, func() (any, error) { return s.runView(e) })
	if err != nil {
		httpError(w, http.StatusUnprocessableEntity, "run %s: %v", e.ID, err)
		return
	}
	enc.serve(w, r)
}

func (s *Server) handleJobs(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.jobs.list())
}

func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	var req JobRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			httpError(w, http.StatusRequestEntityTooLarge, "request body over %d bytes", mbe.Limit)
			return
		}
		httpError(w, http.StatusBadRequest, "bad request body: %v", err)
		return
	}
	if dec.More() {
		httpError(w, http.StatusBadRequest, "bad request body: more than one JSON value")
		return
	}
	if err := req.check(); err != nil {
		httpError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if req.Kind == "run" && s.opt.Run == nil {
		httpError(w, http.StatusNotImplemented, "this workbench cannot start runs")
		return
	}
	sc := s.reg.scenario(req.Scenario)
	if sc == nil {
		httpError(w, http.StatusNotFound, "no scenario %q", req.Scenario)
		return
	}
	j, err := s.jobs.submit(req, sc)
	if err != nil {
		code := http.StatusServiceUnavailable
		if errors.Is(err, errBusy) {
			code = http.StatusTooManyRequests
		}
		httpError(w, code, "%v", err)
		return
	}
	v, _, _ := j.snapshot()
	w.Header().Set("Location", "/api/jobs/"+v.ID)
	writeJSON(w, http.StatusAccepted, v)
}

func (s *Server) job(w http.ResponseWriter, r *http.Request) *job {
	j := s.jobs.get(r.PathValue("id"))
	if j == nil {
		httpError(w, http.StatusNotFound, "no job %q", r.PathValue("id"))
	}
	return j
}

func (s *Server) handleJob(w http.ResponseWriter, r *http.Request) {
	if j := s.job(w, r); j != nil {
		v, _, _ := j.snapshot()
		writeJSON(w, http.StatusOK, v)
	}
}

func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request) {
	if j := s.job(w, r); j != nil {
		j.cancel()
		v, _, _ := j.snapshot()
		writeJSON(w, http.StatusAccepted, v)
	}
}

// sseInterval is the shortest time between two progress events of a job.
const sseInterval = 100 * time.Millisecond

// handleJobEvents streams a job's state as server-sent events ("job"
// events with the Job as JSON) until it finishes: at most one event per
// sseInterval, the final state always, and a comment every 15 s to keep
// the connection open.
func (s *Server) handleJobEvents(w http.ResponseWriter, r *http.Request) {
	j := s.job(w, r)
	if j == nil {
		return
	}
	// The server's read and write timeouts would end the stream (and cancel
	// its context); a stream has its own limit instead.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{})
	rc.SetWriteDeadline(time.Now().Add(maxStream))
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc.Flush()
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	deadline := time.NewTimer(maxStream - time.Minute)
	defer deadline.Stop()
	last := -1
	var lastSent time.Time
	for {
		v, ver, changed := j.snapshot()
		if ver != last {
			if wait := sseInterval - time.Since(lastSent); wait > 0 && !v.finished() {
				select {
				case <-time.After(wait):
					continue // send the newest state
				case <-r.Context().Done():
					return
				}
			}
			b, _ := json.Marshal(v)
			if _, err := fmt.Fprintf(w, "event: job\nid: %d\ndata: %s\n\n", ver, b); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
			last, lastSent = ver, time.Now()
			if v.finished() {
				return
			}
		}
		select {
		case <-changed:
		case <-ping.C:
			if _, err := io.WriteString(w, ": ping\n\n"); err != nil {
				return
			}
			rc.Flush()
		case <-r.Context().Done():
			return
		case <-deadline.C:
			return
		}
	}
}
