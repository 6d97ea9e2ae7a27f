package results

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// OutDir is an output folder under construction. Files are written into a
// temporary sibling folder; Commit renames it to the final path, Abort
// removes it.
type OutDir struct {
	final string
	tmp   string
	done  bool
}

// Create starts an output folder at path. If path exists and overwrite is
// false it is an error; with overwrite an existing folder is replaced only at
// Commit, so a failed run leaves the previous results intact.
func Create(path string, overwrite bool) (*OutDir, error) {
	path = filepath.Clean(path)
	if st, err := os.Stat(path); err == nil {
		if !st.IsDir() {
			return nil, fmt.Errorf("output %s exists and is not a folder", path)
		}
		if !overwrite {
			return nil, fmt.Errorf("output folder %s already exists (use --force to replace it)", path)
		}
	}
	parent := filepath.Dir(path)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	removeStale(parent, filepath.Base(path))
	// The owner's pid is part of the name, so a later run can recognise the
	// folder as abandoned if this process is killed before Commit or Abort,
	// at whatever moment.
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(path)+".tmp-"+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	// MkdirTemp makes the folder private (0700); results are for sharing.
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("create output folder: %w", err)
	}
	return &OutDir{final: path, tmp: tmp}, nil
}

// removeStale deletes temporary folders for the same output left by runs
// that were killed: those whose owning process no longer exists.
func removeStale(parent, base string) {
	prefix := "." + base + ".tmp-"
	matches, _ := filepath.Glob(filepath.Join(parent, prefix+"*"))
	for _, m := range matches {
		rest := strings.TrimPrefix(filepath.Base(m), prefix)
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || processAlive(pid) {
			continue
		}
		os.RemoveAll(m)
	}
}

func processAlive(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}

// Path returns the folder's final path.
func (o *OutDir) Path() string { return o.final }

// TempPath returns where files are being written until Commit.
func (o *OutDir) TempPath() string { return o.tmp }

// WriteFile writes a whole file into the folder through a buffered writer.
func (o *OutDir) WriteFile(name string, write func(w io.Writer) error) error {
	if strings.Contains(name, "..") || filepath.IsAbs(name) {
		return fmt.Errorf("bad output file name %q", name)
	}
	p := filepath.Join(o.tmp, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	return f.Close()
}

// WriteJSON writes v as indented JSON.
func (o *OutDir) WriteJSON(name string, v any) error {
	return o.WriteFile(name, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

// Commit moves the folder into place, replacing any earlier one.
func (o *OutDir) Commit() error {
	if o.done {
		return nil
	}
	var old string
	if _, err := os.Stat(o.final); err == nil {
		old = o.tmp + ".old"
		if err := os.Rename(o.final, old); err != nil {
			return fmt.Errorf("replace %s: %w", o.final, err)
		}
	}
	if err := os.Rename(o.tmp, o.final); err != nil {
		if old != "" {
			os.Rename(old, o.final)
		}
		return fmt.Errorf("move results into %s: %w", o.final, err)
	}
	o.done = true
	if old != "" {
		os.RemoveAll(old)
	}
	syncDir(filepath.Dir(o.final))
	return nil
}

// Abort removes the temporary folder. It is safe to call after Commit.
func (o *OutDir) Abort() {
	if !o.done {
		os.RemoveAll(o.tmp)
		o.done = true
	}
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
