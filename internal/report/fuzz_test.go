package report

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds a run folder whose out.csv (or events.csv) is arbitrary
// bytes to the report's reader: it must never panic, and its errors must
// name a file of the folder.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"out.csv", "events.csv"} {
		if data, err := os.ReadFile(filepath.Join("testdata", "tiny-run", name)); err == nil {
			f.Add(name == "events.csv", data)
		}
	}
	f.Add(false, []byte("Day,Date\n0,2020-01-01\n"))
	f.Add(false, []byte("Day,Date,A sim,A data,A error,Total error\n0,x,1,2,3\n"))
	f.Add(true, []byte("day,date,event\n\"unclosed\n"))
	f.Fuzz(func(t *testing.T, events bool, data []byte) {
		dir := t.TempDir()
		src := filepath.Join("testdata", "tiny-run")
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Skip("no fixture")
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		target := "out.csv"
		if events {
			target = "events.csv"
		}
		if err := os.WriteFile(filepath.Join(dir, target), data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Load(dir)
		if err != nil {
			return
		}
		// An accepted folder must also build into a report without panicking.
		Build(r)
	})
}
