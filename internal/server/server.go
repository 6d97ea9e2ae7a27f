// Package server is Caravan's local workbench: a small HTTP server, on
// loopback by default, that serves the embedded front-end (web/dist) and a
// set of JSON endpoints over the scenarios and runs it was given or created,
// starts runs and ensembles, and streams their progress as server-sent
// events. It follows `go tool trace`: stdlib net/http and embed, no
// framework, nothing fetched at run time.
//
// Only registered folders are readable: scenario folders given on the
// command line or found under the workspace or examples/, and run folders
// it created or was given. Clients name them by opaque ids, never by path.
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// RunRequest is a run to make: the case folder and the options of
// `caravan run`.
type RunRequest struct {
	Case   string
	Seed   uint64
	Days   int
	Compat string
	Set    []string
}

// RunFunc simulates req.Case and writes a run folder at out (which must not
// exist and must appear only if the run succeeds), calling progress after
// each simulated day with the number of days done and the total.
type RunFunc func(ctx context.Context, req RunRequest, out string, progress func(done, total int)) error

// Options configure a Server.
type Options struct {
	// Workspace is the workbench's folder: runs it starts are written
	// under Workspace/runs, and case folders found under it are offered.
	Workspace string
	// Cases are case folders offered explicitly (e.g. command-line
	// arguments); ScanDirs are folders searched for case folders (a folder
	// holding input/locations.csv), e.g. examples/.
	Cases    []string
	ScanDirs []string
	// Runs are run or ensemble folders given explicitly.
	Runs []string
	// Assets is the front-end bundle (index.html at its root).
	Assets fs.FS
	// AssetsChange says Assets may change while serving (served from disk):
	// its files are then not compressed once and kept.
	AssetsChange bool
	// Run starts runs; nil means the workbench cannot start runs.
	Run RunFunc
	// Version is Caravan's version, written into ensemble manifests.
	Version string
	// AnyHost accepts any Host header (for a non-loopback address chosen
	// explicitly). By default only the loopback names of the listening
	// port are accepted, which defeats DNS rebinding.
	AnyHost bool
	// MaxJobs bounds the jobs queued or running at once (default 8).
	MaxJobs int
	// Logf, if set, receives one line per notable event.
	Logf func(format string, args ...any)
}

// Limits on requests (variables so that tests can shorten them).
const maxBodyBytes = 64 << 10

var (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second // progress streams lift both per stream
	idleTimeout       = 120 * time.Second
	maxStream         = 2 * time.Hour
)

// Server is the workbench.
type Server struct {
	opt     Options
	reg     *registry
	jobs    *jobQueue
	views   *viewCache
	assetsZ *gzAssets // nil when serving from disk (--dev)
	handler http.Handler

	mu    sync.Mutex
	hosts map[string]bool // accepted Host headers
}

// New prepares a server: it resolves the workspace, registers the given
// folders and looks for case folders. Problems with individual folders are
// logged, not fatal; a workspace that cannot be created is.
func New(opt Options) (*Server, error) {
	if opt.Workspace == "" {
		return nil, errors.New("server: no workspace folder")
	}
	ws, err := filepath.Abs(opt.Workspace)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(ws, runsDir), 0o755); err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	opt.Workspace = ws
	if opt.MaxJobs <= 0 {
		opt.MaxJobs = 8
	}
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	s := &Server{opt: opt, hosts: map[string]bool{}}
	s.reg = newRegistry(ws, opt.Logf)
	for _, d := range opt.ScanDirs {
		s.reg.scanCases(d, "examples")
	}
	s.reg.scanCases(ws, "workspace")
	for _, d := range opt.Cases {
		if _, err := s.reg.addCase(d, "argument"); err != nil {
			return nil, err
		}
	}
	for _, d := range opt.Runs {
		if _, err := s.reg.addRun(d); err != nil {
			return nil, err
		}
	}
	s.views = newViewCache(16)
	if opt.Assets != nil && !opt.AssetsChange {
		s.assetsZ = newGzAssets(opt.Assets)
	}
	s.jobs = newJobQueue(s, opt.MaxJobs)
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's handler with every check applied.
func (s *Server) Handler() http.Handler { return s.handler }

// AllowHost adds hostport (e.g. "127.0.0.1:8080") to the accepted Host
// headers. Serve calls it for the listener's loopback names.
func (s *Server) AllowHost(hostport string) {
	s.mu.Lock()
	s.hosts[hostport] = true
	s.mu.Unlock()
}

func (s *Server) hostAllowed(h string) bool {
	if s.opt.AnyHost {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hosts[h]
}

// HTTPServer returns an http.Server with the workbench's timeouts.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    16 << 10,
	}
}

// Serve accepts connections on ln until ctx is done, then cancels the jobs
// and shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	for _, h := range []string{"127.0.0.1", "localhost", "[::1]"} {
		s.AllowHost(h + ":" + port)
	}
	hs := s.HTTPServer()
	hs.BaseContext = func(net.Listener) context.Context { return ctx }
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.jobs.close()
		return err
	case <-ctx.Done():
	}
	s.jobs.close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
	}
	return nil
}

// Close stops the jobs (cancelling running ones) and waits for them.
func (s *Server) Close() { s.jobs.close() }

// IsLoopback reports whether a listen address's host is a loopback address
// or "localhost".
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
