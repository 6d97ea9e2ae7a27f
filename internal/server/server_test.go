package server_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caravan-sim/caravan/internal/cli"
	"github.com/caravan-sim/caravan/internal/server"
	"github.com/caravan-sim/caravan/web"
)

const toyCase = "../../examples/toy-flee"

// cliRun makes runs with `caravan run` itself and reports a few fake days of
// progress first (the real per-day progress is tested in internal/cli).
func cliRun(ctx context.Context, req server.RunRequest, out string, progress func(done, total int)) error {
	for d := 0; d <= 3; d++ {
		progress(d, 3)
	}
	args := []string{"run", req.Case, "-o", out, "-q", "--seed", strconv.FormatUint(req.Seed, 10)}
	if req.Days > 0 {
		args = append(args, "--days", strconv.Itoa(req.Days))
	}
	for _, kv := range req.Set {
		args = append(args, "--set", kv)
	}
	var stderr bytes.Buffer
	if code := cli.Main(args, io.Discard, &stderr); code != 0 {
		return fmt.Errorf("caravan run exited %d: %s", code, stderr.String())
	}
	return nil
}

// testServer is a workbench on a loopback port.
type testServer struct {
	*server.Server
	URL  string
	Host string
	WS   string
}

func start(t testing.TB, opt server.Options) *testServer {
	t.Helper()
	if opt.Workspace == "" {
		opt.Workspace = t.TempDir()
	}
	if opt.Assets == nil {
		opt.Assets = web.Dist()
	}
	if opt.Run == nil {
		opt.Run = cliRun
	}
	srv, err := server.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &testServer{Server: srv, URL: "http://" + ln.Addr().String(), Host: ln.Addr().String(), WS: opt.Workspace}
}

func (s *testServer) get(t testing.TB, path string) (int, []byte) {
	t.Helper()
	res, err := http.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func (s *testServer) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	code, b := s.get(t, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func (s *testServer) post(t testing.TB, path, body string, hdr map[string]string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// raw sends a request line and headers as written, so that nothing cleans
// or encodes the path on the way, and returns the status code.
func (s *testServer) raw(t testing.TB, method, target string, hdr ...string) int {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method, target, s.Host)
	for _, h := range hdr {
		fmt.Fprintf(c, "%s\r\n", h)
	}
	fmt.Fprint(c, "\r\n")
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	res.Body.Close()
	return res.StatusCode
}

// waitJob follows a job's event stream to its end and returns the final
// state and the number of events seen.
func (s *testServer) waitJob(t testing.TB, id string) (server.Job, int) {
	t.Helper()
	res, err := http.Get(s.URL + "/api/jobs/" + id + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events: content type %q", ct)
	}
	var last server.Job
	n := 0
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			n++
			if err := json.Unmarshal([]byte(data), &last); err != nil {
				t.Fatal(err)
			}
		}
	}
	return last, n
}

func (s *testServer) submit(t testing.TB, body string) server.Job {
	t.Helper()
	code, b := s.post(t, "/api/jobs", body, nil)
	if code != http.StatusAccepted {
		t.Fatalf("POST /api/jobs %s: %d %s", body, code, b)
	}
	var j server.Job
	json.Unmarshal(b, &j)
	return j
}

func TestServer_ScenariosRunsAndViews(t *testing.T) {
	s := start(t, server.Options{Cases: []string{toyCase, server.SynthDir}})
	var scs []server.ScenarioInfo
	s.getJSON(t, "/api/scenarios", &scs)
	if len(scs) != 2 || scs[0].ID != "toy-flee" || scs[1].ID != "synth150" {
		t.Fatalf("scenarios %+v", scs)
	}
	var v server.View
	s.getJSON(t, "/api/scenarios/toy-flee", &v)
	if v.Kind != "scenario" || len(v.Places) != 9 || len(v.Routes) != 12 || len(v.Events) != 7 || len(v.Camps) != 3 || v.Days != 120 {
		t.Fatalf("toy view: kind %s, %d places, %d routes, %d events, %d camps, %d days", v.Kind, len(v.Places), len(v.Routes), len(v.Events), len(v.Camps), v.Days)
	}
	if e := v.Events[0]; e.File != "input/conflicts.csv" || e.Line != 2 || e.Kind != "conflict_start" || e.Place != "Arden" {
		t.Errorf("first event %+v", e)
	}
	if pts := v.Camps[2].Points; len(pts) != 5 || pts[1] != [2]float64{19, 400} {
		t.Errorf("Ivel's observations %v, want 5 points with day 19 = 400", pts)
	}
	var src server.SourceLines
	s.getJSON(t, "/api/scenarios/toy-flee/source?file=input/closures.csv&line=2", &src)
	if src.First != 1 || len(src.Lines) != 2 || src.Lines[1] != "country,Valoria,Ostmark,30,60" {
		t.Errorf("source %+v", src)
	}
	s.getJSON(t, "/api/scenarios/toy-flee/source?file=input/conflicts.csv&line=40", &src)
	if src.Header == "" || src.First != 36 || len(src.Lines) != 9 {
		t.Errorf("source window %+v", src)
	}

	// A run: queued, streamed, listed, viewed.
	j := s.submit(t, `{"scenario":"toy-flee","seed":7}`)
	final, events := s.waitJob(t, j.ID)
	if final.Status != "done" || final.Run == "" || events < 2 {
		t.Fatalf("job ended %+v after %d events", final, events)
	}
	var runs []server.RunInfo
	s.getJSON(t, "/api/runs", &runs)
	if len(runs) != 1 || runs[0].ID != final.Run || runs[0].Seed != 7 || runs[0].Scenario != "toy-flee" {
		t.Fatalf("runs %+v", runs)
	}
	s.getJSON(t, "/api/runs/"+final.Run, &v)
	if v.Kind != "run" || v.Scenario != "toy-flee" || len(v.Populations) != 9 || len(v.Populations[0]) != 120 || len(v.Camps) != 3 {
		t.Fatalf("run view: %s %s, %d populations", v.Kind, v.Scenario, len(v.Populations))
	}
	if len(v.Camps[0].Points) == 0 || len(v.Camps[0].Sim) != 120 {
		t.Errorf("camp %+v", v.Camps[0].Name)
	}
	// The run's folder is in the workspace and is a `caravan run` folder.
	if !server.IsRun(filepath.Join(s.WS, "runs", final.Run)) {
		t.Errorf("%s is not a run folder", final.Run)
	}
}

func TestServer_GivenRunAndEnsemble(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "given-run")
	if err := cliRun(context.Background(), server.RunRequest{Case: toyCase, Seed: 2, Days: 30}, run, func(int, int) {}); err != nil {
		t.Fatal(err)
	}
	s := start(t, server.Options{Runs: []string{run}, ScanDirs: []string{"../../examples"}})
	var runs []server.RunInfo
	s.getJSON(t, "/api/runs", &runs)
	if len(runs) != 1 || runs[0].ID != "given-run" || !runs[0].Given || runs[0].Days != 30 {
		t.Fatalf("runs %+v", runs)
	}
	var v server.View
	s.getJSON(t, "/api/runs/given-run", &v)
	if v.Days != 30 || v.Scenario != "toy-flee" {
		t.Errorf("given run: %d days, scenario %q", v.Days, v.Scenario)
	}
	// An ensemble through the server.
	j := s.submit(t, `{"scenario":"toy-flee","kind":"ensemble","runs":3,"seed":10,"days":40}`)
	final, _ := s.waitJob(t, j.ID)
	if final.Status != "done" || final.Done != 3 || final.Total != 3 || final.Unit != "member" {
		t.Fatalf("ensemble job %+v", final)
	}
	s.getJSON(t, "/api/runs/"+final.Run, &v)
	if v.Kind != "ensemble" || v.Members != 3 || len(v.Camps) != 3 || len(v.Camps[0].P95) != 40 || len(v.Places) != 9 {
		t.Fatalf("ensemble view %s, %d members, %d camps", v.Kind, v.Members, len(v.Camps))
	}
	if v.Populations[v.Camps[0].Place] == nil {
		t.Error("ensemble view has no populations for its first camp")
	}
}

func TestServer_JobRequests(t *testing.T) {
	s := start(t, server.Options{Cases: []string{toyCase}})
	for _, c := range []struct {
		body string
		code int
	}{
		{`{"scenario":"nope"}`, 404},
		{`{"scenario":"toy-flee","kind":"sweep"}`, 400},
		{`{"scenario":"toy-flee","compat":"python"}`, 400},
		{`{"scenario":"toy-flee","days":-1}`, 400},
		{`{"scenario":"toy-flee","kind":"ensemble","runs":0}`, 400},
		{`{"scenario":"toy-flee","kind":"ensemble","runs":100000}`, 400},
		{`{"scenario":"toy-flee","runs":3}`, 400},
		{`{"scenario":"toy-flee","set":["no-equals"]}`, 400},
		{`{"scenario":"toy-flee","surprise":1}`, 400},
		{`{"scenario":"toy-flee"} {"again":1}`, 400},
		{`not json`, 400},
	} {
		if code, b := s.post(t, "/api/jobs", c.body, nil); code != c.code {
			t.Errorf("POST %s: %d %s, want %d", c.body, code, b, c.code)
		}
	}
	// A bad setting fails the job, with the reason.
	j := s.submit(t, `{"scenario":"toy-flee","set":["move_rules.no_such_key=1"]}`)
	final, _ := s.waitJob(t, j.ID)
	if final.Status != "failed" || !strings.Contains(final.Error, "no_such_key") {
		t.Errorf("job %+v", final)
	}
	// Unknown jobs and cancelling.
	if code, _ := s.get(t, "/api/jobs/j999"); code != 404 {
		t.Errorf("unknown job: %d", code)
	}
}

func TestServer_QueueLimit(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	slow := func(ctx context.Context, req server.RunRequest, out string, progress func(int, int)) error {
		select {
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		return fmt.Errorf("not really run")
	}
	s := start(t, server.Options{Cases: []string{toyCase}, Run: slow, MaxJobs: 2})
	a := s.submit(t, `{"scenario":"toy-flee"}`)
	s.submit(t, `{"scenario":"toy-flee"}`)
	if code, b := s.post(t, "/api/jobs", `{"scenario":"toy-flee"}`, nil); code != http.StatusTooManyRequests {
		t.Errorf("third job: %d %s, want 429", code, b)
	}
	if code, _ := s.post(t, "/api/jobs/"+a.ID+"/cancel", `{}`, nil); code != http.StatusAccepted {
		t.Errorf("cancel: %d", code)
	}
	final, _ := s.waitJob(t, a.ID)
	if final.Status != "canceled" {
		t.Errorf("cancelled job %+v", final)
	}
	once.Do(func() { close(release) })
}

// TestServer_Refuses is the workbench's attack surface: paths that leave
// the registered folders, by dot segments, encodings or symlinks; other
// hosts and origins; wrong methods, content types and sizes.
func TestServer_Refuses(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.csv")
	os.WriteFile(secret, []byte("secret,1\nsecret,2\n"), 0o644)
	// A case whose input has a symlink leading out of it.
	cases := t.TempDir()
	evil := filepath.Join(cases, "evil")
	copyDir(t, toyCase, evil)
	if err := os.Symlink(secret, filepath.Join(evil, "input", "leak.csv")); err != nil {
		t.Skip("no symlinks:", err)
	}
	// A case folder outside the workspace reached by a symlink inside it.
	ws := t.TempDir()
	os.Symlink(evil, filepath.Join(ws, "linked-case"))
	// Runs: a symlinked folder in runs/, and a run whose out.csv leads out.
	os.MkdirAll(filepath.Join(ws, "runs"), 0o755)
	good := filepath.Join(outside, "good-run")
	if err := cliRun(context.Background(), server.RunRequest{Case: toyCase, Seed: 1, Days: 10}, good, func(int, int) {}); err != nil {
		t.Fatal(err)
	}
	os.Symlink(good, filepath.Join(ws, "runs", "linked-run"))
	leaky := filepath.Join(ws, "runs", "leaky-run")
	copyDir(t, good, leaky)
	os.Remove(filepath.Join(leaky, "out.csv"))
	os.Symlink(filepath.Join(good, "out.csv"), filepath.Join(leaky, "out.csv"))

	s := start(t, server.Options{Workspace: ws, Cases: []string{evil}})
	var scs []server.ScenarioInfo
	s.getJSON(t, "/api/scenarios", &scs)
	if len(scs) != 1 || scs[0].ID != "evil" {
		t.Errorf("scenarios %+v: a symlinked folder under the workspace must not be offered", scs)
	}
	var runs []server.RunInfo
	s.getJSON(t, "/api/runs", &runs)
	for _, r := range runs {
		if r.ID == "linked-run" {
			t.Error("a symlinked folder in runs/ is listed")
		}
	}
	if code, b := s.get(t, "/api/runs/leaky-run"); code == 200 || bytes.Contains(b, []byte("Greyhaven")) {
		t.Errorf("run with a symlinked out.csv: %d", code)
	}
	if code, _ := s.get(t, "/api/runs/linked-run"); code != 404 {
		t.Errorf("symlinked run folder: %d, want 404", code)
	}

	for _, c := range []struct {
		target string
		want   int
	}{
		{"/api/scenarios/evil/source?file=input/closures.csv&line=2", 200},
		{"/api/scenarios/evil/source?file=input/leak.csv&line=1", 404},                      // symlink out of the case
		{"/api/scenarios/evil/source?file=../../../etc/passwd&line=1", 400},                 // dot segments
		{"/api/scenarios/evil/source?file=input/../../evil/input/closures.csv&line=1", 400}, // dot segments inside
		{"/api/scenarios/evil/source?file=%2e%2e%2f%2e%2e%2fetc%2fpasswd&line=1", 400},      // encoded in the query
		{"/api/scenarios/evil/source?file=/etc/passwd&line=1", 400},                         // absolute
		{"/api/scenarios/evil/source?file=" + secret + "&line=1", 400},                      // absolute, outside
		{"/api/scenarios/evil/source?file=input%5c..%5c..%5csecret.csv&line=1", 400},        // backslashes
		{"/api/scenarios/evil/source?file=input/closures.csv&line=0", 400},
		{"/api/scenarios/evil/source?file=input/closures.csv&line=99", 404},
		{"/api/scenarios/..%2f..%2fetc", 400},
		{"/api/scenarios/%2e%2e", 400},
		{"/api/scenarios/%2E%2E/source?file=x&line=1", 400},
		{"/api/runs/..%2fgood-run", 400},
		{"/api/runs/../runs/leaky-run", 400},
		{"/../../etc/passwd", 400},
		{"/assets/../../../go.mod", 400},
		{"/assets/%2e%2e/%2e%2e/go.mod", 400},
		{"/assets/..%5c..%5cgo.mod", 400},
		{"/%00", 400},
		{"/api/runs/no-such-run", 404},
		{"/api/scenarios/no-such-case", 404},
		{"/api/scenarios/" + strings.Repeat("a", 200), 404},
		{"/api/nothing", 404},
		{"/index.html", 301}, // the file server's canonical "/"
		{"/", 200},
	} {
		if got := s.raw(t, "GET", c.target); got != c.want {
			t.Errorf("GET %s: %d, want %d", c.target, got, c.want)
		}
	}

	// Hosts: only this server's loopback names (DNS rebinding).
	for _, c := range []struct {
		host string
		want int
	}{
		{s.Host, 200},
		{"localhost:" + portOf(s.Host), 200},
		{"evil.example:" + portOf(s.Host), 421},
		{"127.0.0.1", 421},
	} {
		req, _ := http.NewRequest("GET", s.URL+"/api/health", nil)
		req.Host = c.host
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("Host %s: %d, want %d", c.host, res.StatusCode, c.want)
		}
	}

	// State-changing requests.
	body := `{"scenario":"evil","days":1}`
	for _, c := range []struct {
		name string
		hdr  map[string]string
		body string
		want int
	}{
		{"no content type", map[string]string{"Content-Type": ""}, body, 415},
		{"form", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body, 415},
		{"text", map[string]string{"Content-Type": "text/plain"}, body, 415},
		{"other origin", map[string]string{"Origin": "http://evil.example"}, body, 403},
		{"null origin", map[string]string{"Origin": "null"}, body, 403},
		{"other port", map[string]string{"Origin": "http://127.0.0.1:1"}, body, 403},
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site"}, body, 403},
		{"too large", nil, `{"scenario":"evil","set":["a=` + strings.Repeat("x", 70<<10) + `"]}`, 413},
	} {
		if code, b := s.post(t, "/api/jobs", c.body, c.hdr); code != c.want {
			t.Errorf("POST (%s): %d %s, want %d", c.name, code, b, c.want)
		}
	}
	if code, b := s.post(t, "/api/jobs", body, map[string]string{"Origin": s.URL, "Sec-Fetch-Site": "same-origin"}); code != 202 {
		t.Errorf("same-origin POST: %d %s", code, b)
	}
	for _, m := range []string{"PUT", "DELETE", "PATCH", "OPTIONS"} {
		if got := s.raw(t, m, "/api/jobs"); got != 405 {
			t.Errorf("%s /api/jobs: %d, want 405", m, got)
		}
	}
	if got := s.raw(t, "POST", "/", "Content-Type: application/json", "Content-Length: 2"); got != 405 {
		t.Errorf("POST /: %d, want 405", got)
	}
	// A chunked body over the limit (no Content-Length) is cut off too.
	req, _ := http.NewRequest("POST", s.URL+"/api/jobs", io.MultiReader(strings.NewReader(`{"scenario":"evil","set":["a=`), strings.NewReader(strings.Repeat("x", 100<<10)), strings.NewReader(`"]}`)))
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 413 {
		t.Errorf("chunked large body: %d, want 413", res.StatusCode)
	}
}

func TestServer_Headers(t *testing.T) {
	s := start(t, server.Options{Cases: []string{toyCase}})
	res, err := http.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Content-Type":           "text/html; charset=utf-8",
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	// Views are sent gzipped when asked, with an ETag that answers 304.
	req, _ := http.NewRequest("GET", s.URL+"/api/scenarios/toy-flee", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err = http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("ETag") == "" {
		t.Errorf("view headers %v", res.Header)
	}
	// Bundle files are sent gzipped too.
	atlas, _ := fs.Glob(web.Dist(), "assets/countries-50m-*.json")
	areq, _ := http.NewRequest("GET", s.URL+"/"+atlas[0], nil)
	areq.Header.Set("Accept-Encoding", "gzip")
	ares, err := http.DefaultTransport.RoundTrip(areq)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(ares.Body)
	if err != nil {
		t.Fatal(err)
	}
	unz, _ := io.ReadAll(zr)
	ares.Body.Close()
	want, _ := fs.ReadFile(web.Dist(), atlas[0])
	if ares.Header.Get("Content-Type") != "application/json" || !bytes.Equal(unz, want) ||
		!strings.Contains(ares.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("gzipped asset: %v, %d bytes unzipped, want %d", ares.Header, len(unz), len(want))
	}
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	res, err = http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", res.StatusCode)
	}
}

func portOf(hostport string) string {
	_, p, _ := net.SplitHostPort(hostport)
	return p
}

func copyDir(t testing.TB, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
