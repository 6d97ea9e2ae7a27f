package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportCmd_NotARun(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := Main([]string{"report", dir}, &out, &errb)
	if code != exitInput {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInput, errb.String())
	}
	msg := errb.String()
	for _, f := range []string{"manifest.json", "summary.json", "out.csv"} {
		if !strings.Contains(msg, filepath.Join(dir, f)+": missing") {
			t.Errorf("stderr does not name %s:\n%s", f, msg)
		}
	}
	if !strings.Contains(msg, "not a run folder") {
		t.Errorf("stderr:\n%s", msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "report")); err == nil {
		t.Error("a report folder was written for a folder that is not a run")
	}
}

func TestReportCmd_Usage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Main([]string{"report"}, &out, &errb); code != exitInput {
		t.Errorf("no argument: exit %d, want %d", code, exitInput)
	}
}

// TestReportCmd_ToyRun runs the toy case and reports on it, so that the
// report keeps up with what run writes.
func TestReportCmd_ToyRun(t *testing.T) {
	tmp := t.TempDir()
	runDir := filepath.Join(tmp, "run")
	var out, errb bytes.Buffer
	if code := Main([]string{"run", "-q", "-o", runDir, "../../examples/toy-flee"}, &out, &errb); code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := Main([]string{"report", runDir}, &out, &errb); code != exitOK {
		t.Fatalf("report: exit %d\n%s", code, errb.String())
	}
	repDir := filepath.Join(runDir, "report")
	for _, f := range []string{"report.html", "camps.png", "camps.svg", "map.svg", "timeline.png", "error-per-day.svg", "camp-errors.csv"} {
		if _, err := os.Stat(filepath.Join(repDir, f)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(out.String(), "report in "+filepath.Join(repDir, "report.html")) {
		t.Errorf("stdout:\n%s", out.String())
	}
	if strings.Contains(out.String(), "note:") {
		t.Errorf("a complete run folder gave notes:\n%s", out.String())
	}
	// The default folder is replaced; an explicit one must not exist.
	if code := Main([]string{"report", "-q", runDir}, &out, &errb); code != exitOK {
		t.Errorf("second report: exit %d\n%s", code, errb.String())
	}
	if code := Main([]string{"report", "-q", "-o", repDir, runDir}, &out, &errb); code != exitInput {
		t.Errorf("report into an existing -o folder: exit %d, want %d", code, exitInput)
	}
	if code := Main([]string{"report", "-q", "--force", "-o", repDir, runDir}, &out, &errb); code != exitOK {
		t.Errorf("report --force: exit %d\n%s", code, errb.String())
	}
}
