package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

// apiError is the body of every error answer.
type apiError struct {
	Error string `json:"error"`
}

func httpError(w http.ResponseWriter, code int, format string, args ...any) {
	b, _ := json.Marshal(apiError{Error: fmt.Sprintf(format, args...)})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Del("Content-Encoding")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		httpError(w, http.StatusInternalServerError, "encode: %v", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// encoded is a JSON document encoded once, with its gzip form and ETag.
type encoded struct {
	raw, gz []byte
	etag    string
}

func encode(v any) (*encoded, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	e := &encoded{raw: raw, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	if len(raw) > 2048 {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
		zw.Write(raw)
		zw.Close()
		e.gz = b.Bytes()
	}
	return e, nil
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func (e *encoded) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", e.etag)
	h.Set("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := e.raw
	if e.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = e.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// viewCache keeps the last few encoded views; a view is built at most once
// at a time per key (later callers wait for the first).
type viewCache struct {
	mu      sync.Mutex
	max     int
	order   []string
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	ready chan struct{}
	enc   *encoded
	err   error
}

func newViewCache(max int) *viewCache {
	return &viewCache{max: max, entries: map[string]*cacheEntry{}}
}

// get returns the cached document for key, building it with build if
// needed. Errors are not cached.
func (c *viewCache) get(key string, build func() (any, error)) (*encoded, error) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		c.mu.Unlock()
		<-e.ready
		if e.err == nil {
			return e.enc, nil
		}
		return nil, e.err
	}
	e := &cacheEntry{ready: make(chan struct{})}
	c.entries[key] = e
	c.order = append(c.order, key)
	for len(c.order) > c.max {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.mu.Unlock()

	v, err := build()
	if err == nil {
		e.enc, err = encode(v)
	}
	e.err = err
	close(e.ready)
	if err != nil {
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
			for i, k := range c.order {
				if k == key {
					c.order = append(c.order[:i], c.order[i+1:]...)
					break
				}
			}
		}
		c.mu.Unlock()
	}
	return e.enc, err
}

// gzAssets compresses the bundle's larger text files once each, on first
// request (the bundle is embedded and never changes while serving).
type gzAssets struct {
	fsys fs.FS
	mu   sync.Mutex
	m    map[string]*gzAsset
}

type gzAsset struct {
	gz    []byte
	ctype string
}

func newGzAssets(fsys fs.FS) *gzAssets { return &gzAssets{fsys: fsys, m: map[string]*gzAsset{}} }

// get returns the compressed file, or nil for files not worth compressing
// or not there.
func (g *gzAssets) get(name string) *gzAsset {
	switch path.Ext(name) {
	case ".js", ".css", ".json", ".html", ".svg", ".txt":
	default:
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if a, ok := g.m[name]; ok {
		return a
	}
	var a *gzAsset
	if b, err := fs.ReadFile(g.fsys, name); err == nil && len(b) > 1024 {
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		a = &gzAsset{gz: z.Bytes(), ctype: mime.TypeByExtension(path.Ext(name))}
	}
	g.m[name] = a
	return a
}

func (a *gzAsset) serveAsset(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Content-Encoding", "gzip")
	h.Set("Vary", "Accept-Encoding")
	h.Set("Content-Length", strconv.Itoa(len(a.gz)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(a.gz)
	}
}
