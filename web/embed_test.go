package web_test

import (
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/web"
)

// xmlNamespaces are URLs that appear in code as names, never fetched
// (document.createElementNS and friends).
var xmlNamespaces = map[string]bool{
	"http://www.w3.org/2000/svg":           true,
	"http://www.w3.org/1999/xhtml":         true,
	"http://www.w3.org/1999/xlink":         true,
	"http://www.w3.org/2000/xmlns/":        true,
	"http://www.w3.org/XML/1998/namespace": true,
	"http://www.w3.org/1998/Math/MathML":   true,
}

var (
	// Anything that names another host: absolute URLs (any scheme that
	// fetches) and protocol-relative ones in markup or CSS.
	absURL  = regexp.MustCompile(`(?i)\b(?:https?|wss?|ftp)://[^\s"'<>()\\` + "`" + `]*`)
	relHost = regexp.MustCompile(`(?i)(?:src|href|action)\s*=\s*["']?//|url\(\s*["']?//|@import\s+["']?//|import\s*\(\s*["']//`)
	assetRe = regexp.MustCompile(`(?:src|href)="([^"]+)"`)
)

// TestDist_NoExternalURLs: the page loads nothing from anywhere but the
// server that serves it.
func TestDist_NoExternalURLs(t *testing.T) {
	dist := web.Dist()
	n := 0
	err := fs.WalkDir(dist, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch path.Ext(p) {
		case ".html", ".js", ".css", ".json", ".mjs", ".map", ".svg", ".webmanifest":
		default:
			if p != "licenses.txt" {
				t.Errorf("%s: unexpected file type in the bundle", p)
			}
			return nil // licence texts name their authors' sites; the page never loads them
		}
		b, err := fs.ReadFile(dist, p)
		if err != nil {
			return err
		}
		n++
		for _, u := range absURL.FindAllString(string(b), -1) {
			if !xmlNamespaces[u] {
				t.Errorf("%s references %s", p, u)
			}
		}
		for _, m := range relHost.FindAllString(string(b), -1) {
			t.Errorf("%s has a protocol-relative reference: %s", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Fatalf("only %d files checked: is web/dist built?", n)
	}
}

// TestDist_IndexReferences: index.html's scripts and styles are in the
// bundle, under /assets/.
func TestDist_IndexReferences(t *testing.T) {
	dist := web.Dist()
	b, err := fs.ReadFile(dist, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	refs := assetRe.FindAllStringSubmatch(string(b), -1)
	var js, css bool
	for _, m := range refs {
		ref := m[1]
		if strings.HasPrefix(ref, "data:") {
			continue
		}
		if !strings.HasPrefix(ref, "/assets/") {
			t.Errorf("index.html references %s, outside /assets/", ref)
			continue
		}
		if _, err := fs.Stat(dist, strings.TrimPrefix(ref, "/")); err != nil {
			t.Errorf("index.html references %s, which is not in the bundle", ref)
		}
		js = js || strings.HasSuffix(ref, ".js")
		css = css || strings.HasSuffix(ref, ".css")
	}
	if !js || !css {
		t.Errorf("index.html has script %v, stylesheet %v; want both", js, css)
	}
	// The country shapes the map fetches are in the bundle.
	atlas, _ := fs.Glob(dist, "assets/countries-50m-*.json")
	if len(atlas) != 1 {
		t.Errorf("country shapes: %v", atlas)
	}
}
