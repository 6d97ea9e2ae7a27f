package results

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestOutDir_CommitAndAbort(t *testing.T) {
	root := t.TempDir()
	final := filepath.Join(root, "run")
	od, err := Create(final, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := od.WriteFile("a.csv", func(w io.Writer) error { _, err := io.WriteString(w, "x\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(final); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the folder must not be visible before Commit")
	}
	if err := od.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(final, "a.csv")); err != nil || string(b) != "x\n" {
		t.Fatalf("after Commit: %q, %v", b, err)
	}

	// An existing folder is refused without overwrite...
	if _, err := Create(final, false); err == nil {
		t.Fatal("Create over an existing folder must fail without overwrite")
	}
	// ...and survives a failed replacement intact.
	od2, err := Create(final, true)
	if err != nil {
		t.Fatal(err)
	}
	werr := od2.WriteFile("b.csv", func(w io.Writer) error { return errors.New("disk on fire") })
	if werr == nil {
		t.Fatal("a failing writer must fail WriteFile")
	}
	od2.Abort()
	if _, err := os.Stat(filepath.Join(final, "a.csv")); err != nil {
		t.Fatal("the earlier results must survive an aborted replacement")
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Fatalf("temporary folders left behind: %v", entries)
	}
}

func TestOutDir_RejectsEscapingNames(t *testing.T) {
	od, err := Create(filepath.Join(t.TempDir(), "r"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer od.Abort()
	if err := od.WriteFile("../x", func(io.Writer) error { return nil }); err == nil {
		t.Error("a name leaving the folder must be refused")
	}
}
