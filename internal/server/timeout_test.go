package server

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestStream_OutlivesTimeouts: a progress stream lasts longer than the
// server's read and write timeouts (which it lifts for itself), while an
// ordinary request still gets them.
func TestStream_OutlivesTimeouts(t *testing.T) {
	defer func(r, w time.Duration) { readTimeout, writeTimeout = r, w }(readTimeout, writeTimeout)
	readTimeout, writeTimeout = 300*time.Millisecond, 300*time.Millisecond
	slow := func(ctx context.Context, req RunRequest, out string, progress func(int, int)) error {
		for d := 1; d <= 15; d++ {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
			progress(d, 15)
		}
		return context.DeadlineExceeded // "failed", without writing a run
	}
	srv, err := New(Options{Workspace: t.TempDir(), Cases: []string{"../../examples/toy-flee"}, Run: slow})
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
	defer func() { cancel(); <-done }()
	url := "http://" + ln.Addr().String()
	res, err := http.Post(url+"/api/jobs", "application/json", strings.NewReader(`{"scenario":"toy-flee"}`))
	if err != nil {
		t.Fatal(err)
	}
	var j Job
	json.NewDecoder(res.Body).Decode(&j)
	res.Body.Close()
	t0 := time.Now()
	res, err = http.Get(url + "/api/jobs/" + j.ID + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			json.Unmarshal([]byte(data), &j)
		}
	}
	if j.Status != "failed" || j.Done != 15 {
		t.Fatalf("stream ended after %v with %+v; want the final state (failed, 15 of 15)", time.Since(t0), j)
	}
	if time.Since(t0) < 3*readTimeout {
		t.Fatalf("the job took %v, not longer than the timeouts", time.Since(t0))
	}
	// An idle client that sends half a request is cut off.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("POST /api/jobs HTTP/1.1\r\nHost: " + ln.Addr().String() + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	t1 := time.Now()
	buf := make([]byte, 512)
	n, _ := c.Read(buf)
	if time.Since(t1) > 3*time.Second {
		t.Errorf("a stalled request body was not cut off after %v (read %q)", time.Since(t1), buf[:n])
	}
}
