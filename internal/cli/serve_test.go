package cli

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caravan-sim/caravan/internal/server"
	"github.com/caravan-sim/caravan/web"
)

const (
	synthCase = "../server/testdata/synth150"
	carCase   = "../../../shared/peer-cases/flee/car"
)

func TestServeCmd_RefusesNonLoopback(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main([]string{"serve", "--addr", "0.0.0.0:0", "--dir", t.TempDir()}, &out, &errb)
	if code != exitInput || !strings.Contains(errb.String(), "--allow-remote") {
		t.Fatalf("exit %d, stderr:\n%s", code, errb.String())
	}
	code = Main([]string{"serve", "--addr", "nonsense", "--dir", t.TempDir()}, &out, &errb)
	if code != exitInput {
		t.Errorf("bad --addr: exit %d", code)
	}
	code = Main([]string{"serve", "--dir", t.TempDir(), t.TempDir()}, &out, &errb)
	if code != exitInput || !strings.Contains(errb.String(), "not a case folder") {
		t.Errorf("empty folder as argument: exit %d, stderr:\n%s", code, errb.String())
	}
}

// syncBuffer is a bytes.Buffer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveCmd runs `caravan serve args...` until the test ends and returns the
// URL it printed.
func serveCmd(t *testing.T, args ...string) (url string, stderr *syncBuffer) {
	t.Helper()
	var out syncBuffer
	stderr = &syncBuffer{}
	root := newRoot(&out, stderr)
	root.SetArgs(append([]string{"serve"}, args...))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if s := out.String(); strings.Contains(s, "\n") {
			f := strings.Fields(s)
			return f[len(f)-1], stderr
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve printed no address; stderr:\n%s", stderr.String())
	return "", nil
}

func TestServeCmd_StartsOnLoopback(t *testing.T) {
	url, _ := serveCmd(t, "--dir", t.TempDir(), toyCase)
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/") {
		t.Fatalf("address %q", url)
	}
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Contains(b, []byte(`<div id="app">`)) {
		t.Fatalf("GET /: %d\n%s", res.StatusCode, b)
	}
	res, err = http.Get(url + "api/scenarios")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Contains(b, []byte(`"id":"toy-flee"`)) {
		t.Errorf("scenarios: %s", b)
	}
}

func TestServeCmd_Dev(t *testing.T) {
	web := t.TempDir()
	os.MkdirAll(filepath.Join(web, "dist"), 0o755)
	os.WriteFile(filepath.Join(web, "dist", "index.html"), []byte("<p>from disk</p>"), 0o644)
	url, _ := serveCmd(t, "--dir", t.TempDir(), "--dev", "--web-dir", web)
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "<p>from disk</p>" {
		t.Errorf("--dev served %q", b)
	}
}

// startWorkbench serves a workbench with the real run function.
func startWorkbench(t testing.TB, opt server.Options) string {
	t.Helper()
	if opt.Workspace == "" {
		opt.Workspace = t.TempDir()
	}
	opt.Assets, opt.Run, opt.Version = web.Dist(), runForWorkbench, "test"
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
	return "http://" + ln.Addr().String()
}

// TestServe_RunMatchesCaravanRun: a run started in the workbench streams
// its progress day by day and writes the same results as `caravan run`
// with the same seed, plus the daily route flows.
func TestServe_RunMatchesCaravanRun(t *testing.T) {
	ws := t.TempDir()
	url := startWorkbench(t, server.Options{Workspace: ws, Cases: []string{toyCase}})
	req, _ := http.NewRequest("POST", url+"/api/jobs", strings.NewReader(`{"scenario":"toy-flee","seed":4}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var job server.Job
	json.NewDecoder(res.Body).Decode(&job)
	res.Body.Close()
	if res.StatusCode != 202 {
		t.Fatalf("submit: %d", res.StatusCode)
	}
	res, err = http.Get(url + "/api/jobs/" + job.ID + "/events")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(res.Body)
	prev, events := -1, 0
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		events++
		if err := json.Unmarshal([]byte(data), &job); err != nil {
			t.Fatal(err)
		}
		if job.Done < prev {
			t.Errorf("progress went back from %d to %d", prev, job.Done)
		}
		prev = job.Done
	}
	res.Body.Close()
	if job.Status != "done" || job.Done != 120 || job.Total != 120 || job.Unit != "day" {
		t.Fatalf("final state %+v after %d events", job, events)
	}
	got := filepath.Join(ws, "runs", job.Run)
	want := filepath.Join(t.TempDir(), "ref")
	// The workbench names the case by its absolute path (events.csv and
	// the manifest record it).
	abs, err := filepath.Abs(toyCase)
	if err != nil {
		t.Fatal(err)
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	if code := Main([]string{"run", abs, "--seed", "4", "-o", want, "-q"}, io.Discard, &errb); code != 0 {
		t.Fatalf("caravan run: %s", errb.String())
	}
	for _, f := range []string{"out.csv", "populations.csv", "network.geojson", "events.csv"} {
		a, _ := os.ReadFile(filepath.Join(got, f))
		b, _ := os.ReadFile(filepath.Join(want, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs from caravan run's", f)
		}
	}
	var man struct {
		Command []string `json:"command"`
		Outputs []string `json:"outputs"`
	}
	b, _ := os.ReadFile(filepath.Join(got, "manifest.json"))
	json.Unmarshal(b, &man)
	if strings.Join(man.Command[:3], " ") != "caravan run "+abs || !strings.Contains(strings.Join(man.Command, " "), "--seed 4") {
		t.Errorf("manifest command %q", man.Command)
	}
	// The daily route flows add up to the totals in network.geojson.
	var v server.View
	getJSON(t, url+"/api/runs/"+job.Run, &v)
	for _, r := range v.Routes {
		var f, b int64
		for t := range r.DailyForward {
			f += int64(r.DailyForward[t])
			b += int64(r.DailyBack[t])
		}
		if f != r.Forward || b != r.Back || len(r.DailyForward) != 120 {
			t.Errorf("route %d-%d: daily flows sum to %d/%d, totals %d/%d", r.From, r.To, f, b, r.Forward, r.Back)
		}
	}
}

func getJSON(t testing.TB, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// TestServe_PayloadSizes measures what the page downloads to show a run of
// car (64 places × 820 days) and of the synthetic 150-place case, and keeps
// it within bounds (the figures are in docs/benchmarks.md).
func TestServe_PayloadSizes(t *testing.T) {
	cases := []struct {
		name, dir         string
		places            int
		maxRaw, maxGzip   int
		maxFirst, maxNext time.Duration
	}{
		{"synth150", synthCase, 150, 4 << 20, 1 << 20, 5 * time.Second, 200 * time.Millisecond},
		{"car", carCase, 63, 3 << 20, 1 << 20, 5 * time.Second, 200 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "car" && testing.Short() {
				t.Skip("car takes seconds to simulate")
			}
			if _, err := os.Stat(c.dir); err != nil {
				t.Skipf("%s not available: %v", c.dir, err)
			}
			run := filepath.Join(t.TempDir(), c.name)
			req := server.RunRequest{Case: c.dir, Seed: 1, Compat: "caravan"}
			t0 := time.Now()
			if err := runForWorkbench(context.Background(), req, run, func(int, int) {}); err != nil {
				t.Fatal(err)
			}
			simTime := time.Since(t0)
			url := startWorkbench(t, server.Options{Runs: []string{run}})
			path := "/api/runs/" + c.name
			fetch := func(gz bool) (int, time.Duration, []byte) {
				req, _ := http.NewRequest("GET", url+path, nil)
				if gz {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				t0 := time.Now()
				res, err := http.DefaultTransport.RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					t.Fatalf("%s: %d %s", path, res.StatusCode, b)
				}
				return len(b), time.Since(t0), b
			}
			raw, first, body := fetch(false) // builds and caches the view
			gz, next, zbody := fetch(true)
			zr, err := gzip.NewReader(bytes.NewReader(zbody))
			if err != nil {
				t.Fatal(err)
			}
			unz, _ := io.ReadAll(zr)
			if !bytes.Equal(unz, body) {
				t.Fatal("gzipped view differs from the plain one")
			}
			var v server.View
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatal(err)
			}
			if len(v.Places) != c.places || len(v.Populations) != c.places || len(v.Populations[0]) != 820 || len(v.Routes[0].DailyForward) != 820 {
				t.Fatalf("view: %d places, %d population rows", len(v.Places), len(v.Populations))
			}
			t.Logf("%s: %d places × %d days, %d routes: view %d KiB (%d KiB gzipped); first request %v (reads the run folder), next %v; simulated in %v",
				c.name, len(v.Places), v.Days, len(v.Routes), raw>>10, gz>>10, first.Round(time.Millisecond), next.Round(time.Millisecond), simTime.Round(time.Millisecond))
			if raw > c.maxRaw || gz > c.maxGzip {
				t.Errorf("view %d bytes (%d gzipped), want at most %d (%d)", raw, gz, c.maxRaw, c.maxGzip)
			}
			if first > c.maxFirst || next > c.maxNext {
				t.Errorf("first request %v, next %v; want at most %v, %v", first, next, c.maxFirst, c.maxNext)
			}
		})
	}
}
