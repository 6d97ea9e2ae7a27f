package cli

// The bad-input corpus (internal/flee/testdata/bad, see its README.md): every
// case must fail `run` and `validate` with exit status 2, print exactly the
// messages in its want.txt, and write nothing.
//
//	go test ./internal/cli -run BadInput -update   # rewrite the want.txt files

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	badCorpus   = "../flee/testdata/bad"
	goodMinimal = "../flee/testdata/good/minimal"
)

func init() {
	// Other test files of this package may define -update too.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updatingGoldens() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// corpusCases lists the corpus folders.
func corpusCases(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(badCorpus)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	if len(out) < 40 {
		t.Fatalf("only %d cases in %s; the corpus must hold at least 40", len(out), badCorpus)
	}
	return out
}

// corpusArgs reads a case's args.txt ({case} stands for its folder).
func corpusArgs(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "args.txt"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		args = append(args, strings.ReplaceAll(strings.TrimSpace(l), "{case}", dir))
	}
	return args
}

// runCaravan runs the command line and returns its exit status and output,
// with the case folder written <case>.
func runCaravan(dir string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(args, &out, &errb)
	norm := func(s string) string { return strings.ReplaceAll(s, dir, "<case>") }
	return code, norm(out.String()), norm(errb.String())
}

// checkNothingWritten fails if dir holds anything: no output folder, no temporary sibling.
func checkNothingWritten(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind in the output's parent: %s", e.Name())
	}
}

func TestBadInput(t *testing.T) {
	for _, name := range corpusCases(t) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(badCorpus, name)
			extra := corpusArgs(t, dir)
			parent := t.TempDir()
			args := append(append([]string{"run", "-q", "-o", filepath.Join(parent, "out")}, extra...), dir)
			code, stdout, stderr := runCaravan(dir, args...)
			if code != 2 {
				t.Errorf("run: exit status %d, want 2\n%s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("run printed on stdout: %q", stdout)
			}
			checkNothingWritten(t, parent)
			golden := filepath.Join(dir, "want.txt")
			if updatingGoldens() {
				if err := os.WriteFile(golden, []byte(stderr), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if stderr != string(want) {
				t.Errorf("run: stderr differs from want.txt\n got:\n%s\nwant:\n%s", stderr, want)
			}
			// Every problem names a file of the case (or the --set at fault).
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			for _, line := range lines[:len(lines)-1] {
				p := strings.TrimPrefix(line, "error: ")
				if !strings.HasPrefix(p, "<case>") && !strings.HasPrefix(p, "--set ") {
					t.Errorf("line does not name a file of the case: %q", line)
				}
			}
			if last := lines[len(lines)-1]; !strings.HasSuffix(last, " error(s); nothing was written") {
				t.Errorf("last line %q, want the count of errors", last)
			}

			// validate finds exactly the same.
			code, stdout, vstderr := runCaravan(dir, append(append([]string{"validate"}, extra...), dir)...)
			if code != 2 || stdout != "" || vstderr != string(want) {
				t.Errorf("validate: exit status %d, stdout %q, stderr\n%s\nwant status 2 and\n%s", code, stdout, vstderr, want)
			}
		})
	}
}

// A good case passes validate with exit status 0, in both modes.
func TestValidate_GoodCases(t *testing.T) {
	for _, dir := range []string{goodMinimal, "../../examples/toy-flee"} {
		for _, mode := range []string{"caravan", "flee"} {
			code, stdout, stderr := runCaravan(dir, "validate", "--compat", mode, dir)
			if code != 0 || !strings.HasPrefix(stdout, "ok: ") || stderr != "" {
				t.Errorf("validate %s --compat %s: exit status %d\nstdout %s\nstderr %s", dir, mode, code, stdout, stderr)
			}
		}
	}
}
