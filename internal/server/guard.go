package server

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// contentSecurityPolicy allows the page only its own origin: a stray
// external URL in the bundle would be blocked (and reported as a console
// error, which the end-to-end test looks for).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'; form-action 'self'"

// guard applies the checks every request passes before any handler:
// security headers, an accepted Host header (no DNS rebinding), no dot
// segments or encoded separators in the path, and for state-changing
// requests the same origin, a JSON body and a size limit.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		if !s.hostAllowed(r.Host) {
			httpError(w, http.StatusMisdirectedRequest, "host %q is not this workbench's address", r.Host)
			return
		}
		if bad := badPath(r.URL); bad != "" {
			httpError(w, http.StatusBadRequest, "path refused: %s", bad)
			return
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead:
		case http.MethodPost:
			if why := crossOrigin(r); why != "" {
				httpError(w, http.StatusForbidden, "cross-origin request refused: %s", why)
				return
			}
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				httpError(w, http.StatusUnsupportedMediaType, "want Content-Type: application/json")
				return
			}
			if r.ContentLength > maxBodyBytes {
				httpError(w, http.StatusRequestEntityTooLarge, "request body over %d bytes", maxBodyBytes)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		default:
			h.Set("Allow", "GET, HEAD, POST")
			httpError(w, http.StatusMethodNotAllowed, "method %s not allowed", r.Method)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// badPath reports why a request path is refused: dot segments, backslashes,
// NUL bytes, or percent-encoded dots, slashes and backslashes (which could
// smuggle a dot segment past a decoder). Nothing the page requests has any.
func badPath(u *url.URL) string {
	raw := u.EscapedPath()
	lower := strings.ToLower(raw)
	for _, enc := range []string{"%2e", "%2f", "%5c", "%00"} {
		if strings.Contains(lower, enc) {
			return "encoded " + enc
		}
	}
	p := u.Path
	if strings.ContainsAny(p, "\\\x00") {
		return "backslash or NUL"
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." {
			return "dot segment"
		}
	}
	return ""
}

// crossOrigin reports why a state-changing request does not come from this
// workbench's own page, or "" if it does: an Origin header must name the
// request's Host; without one, a browser's Sec-Fetch-Site must not say
// cross-site. (Tools such as curl send neither, and are allowed.)
func crossOrigin(r *http.Request) string {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || o == "null" {
			return "origin " + o
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host != r.Host {
			return "origin " + o + " is not " + r.Host
		}
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return "Sec-Fetch-Site " + r.Header.Get("Sec-Fetch-Site")
	}
	return ""
}
