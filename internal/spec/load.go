package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/caravan-sim/caravan/internal/diag"
)

// MainFile is the file Load reads when given a folder.
const MainFile = "scenario.yaml"

// File is a file a document was read from.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

// Loaded is a document read from its files and checked.
type Loaded struct {
	// Path is the main file.
	Path string
	// Doc holds the main file's entries followed by those of the included
	// files; its Include is cleared, since the entries are merged in.
	Doc *Document
	// Files lists every file read, the main file first, with its SHA-256.
	Files []File
	// Warnings are problems that do not stop a run.
	Warnings []diag.Problem

	err error // the load's problems; Compile refuses a document that has any
}

// Load reads a scenario — a YAML file, or a folder holding scenario.yaml —
// with the files it includes, and checks it. Every problem found is
// returned together as a *diag.Error; warnings are kept in Loaded.Warnings.
// The Loaded is returned even on error (for its warnings and files).
func Load(path string) (*Loaded, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		main := filepath.Join(path, MainFile)
		if _, err := os.Stat(main); err != nil {
			if alt := filepath.Join(path, "scenario.yml"); fileExists(alt) {
				main = alt
			}
		}
		path = main
	}
	var probs diag.List
	l := &Loaded{Path: path}
	ld := &loader{probs: &probs, seen: map[string]string{}, loaded: l}
	doc := ld.file(path, nil, nil, nil)
	if doc == nil {
		doc = &Document{}
	}
	doc.Include = nil
	l.Doc = doc
	if !ld.broken {
		check(doc, true, &probs)
	}
	probs.Sort()
	l.Warnings = probs.Warnings()
	l.err = probs.Err()
	return l, l.err
}

// Parse reads one document from memory and checks it. Includes are read
// from disk relative to file's folder.
func Parse(file string, data []byte) (*Loaded, error) { return parse(file, data, true) }

// parse is Parse; with includes false, include: is an error (for fuzzing,
// which must not read arbitrary files).
func parse(file string, data []byte, includes bool) (*Loaded, error) {
	var probs diag.List
	l := &Loaded{Path: file}
	ld := &loader{probs: &probs, seen: map[string]string{}, loaded: l, noIncludes: !includes}
	doc := ld.file(file, data, nil, nil)
	if doc == nil {
		doc = &Document{}
	}
	doc.Include = nil
	l.Doc = doc
	if !ld.broken {
		check(doc, true, &probs)
	}
	probs.Sort()
	l.Warnings = probs.Warnings()
	l.err = probs.Err()
	return l, l.err
}

// IsScenario reports whether path names a native scenario rather than a
// Flee case folder: a .yaml or .yml file, or a folder holding scenario.yaml
// (or scenario.yml).
func IsScenario(path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		ext := strings.ToLower(filepath.Ext(path))
		return ext == ".yaml" || ext == ".yml"
	}
	if st.IsDir() {
		return fileExists(filepath.Join(path, MainFile)) || fileExists(filepath.Join(path, "scenario.yml"))
	}
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".yaml" || ext == ".yml"
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

type loader struct {
	// broken is set when a file could not be read or parsed: the document
	// is then too incomplete for the semantic checks to say anything useful.
	broken     bool
	probs      *diag.List
	noIncludes bool
	seen       map[string]string // absolute path -> file that included it ("" for the main file)
	loaded     *Loaded
}

func describeOpenError(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "file not found"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// file reads one file (data, when not nil, is its content) and the files it
// includes, and returns their entries merged. stack holds the files that
// include it, for cycle detection; from is the include entry naming it.
func (ld *loader) file(path string, data []byte, stack []string, from *Node) *Document {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	abs = filepath.Clean(abs)
	for i, s := range stack {
		if s == abs {
			chain := make([]string, 0, len(stack)-i+1)
			for _, c := range stack[i:] {
				chain = append(chain, filepath.Base(c))
			}
			chain = append(chain, filepath.Base(abs))
			msg := "include cycle: " + strings.Join(chain, " → ")
			if len(chain) == 2 {
				msg = "the file includes itself"
			}
			ld.probs.Add(from.problem("", "%s", msg))
			return nil
		}
	}
	if by, dup := ld.seen[abs]; dup {
		p := from.problem("", "%s is included twice (also by %s); include each file once", path, by)
		ld.probs.Add(p)
		return nil
	}
	if from != nil {
		ld.seen[abs] = from.File
	} else {
		ld.seen[abs] = "the command line"
	}
	if data == nil {
		data, err = os.ReadFile(path)
		if err != nil {
			p := diag.Problem{File: path, Msg: describeOpenError(err)}
			if from != nil {
				shown := path
				if rel, err := filepath.Rel(filepath.Dir(from.File), path); err == nil {
					shown = filepath.ToSlash(rel)
				}
				p = from.problem("", "%s: %s", shown, describeOpenError(err))
			}
			ld.probs.Add(p)
			ld.broken = true
			return nil
		}
	}
	sum := sha256.Sum256(data)
	ld.loaded.Files = append(ld.loaded.Files, File{Path: path, SHA256: hex.EncodeToString(sum[:]), Bytes: len(data)})

	body, ok := parseYAML(path, data, ld.probs)
	doc := &Document{}
	doc.File, doc.Line, doc.Column = path, 1, 1
	if !ok {
		ld.broken = true
		return doc
	}
	if body == nil {
		if from == nil {
			ld.probs.Add(diag.Problem{File: path, Msg: "the file is empty; a scenario needs at least caravan: 1, start: and places:"})
		}
		return doc
	}
	if _, isMap := mappingValues(body); !isMap {
		line, col := nodePos(body)
		ld.probs.Add(diag.Problem{File: path, Line: line, Column: col, Msg: "a scenario file must be a mapping of keys (caravan:, start:, places:, ...)"})
		ld.broken = true
		return doc
	}
	d := &decoder{file: path, probs: ld.probs}
	d.value(body, reflect.ValueOf(doc).Elem(), "", nil, "", 0)
	doc.Line, doc.Column = 1, 1
	if doc.Caravan != 0 && doc.Caravan != 1 {
		ld.probs.Add(doc.problem("caravan", "format version %d is not supported by this Caravan version (it reads version 1)", doc.Caravan))
	}

	stack = append(stack, abs)
	dir := filepath.Dir(path)
	for i, inc := range doc.Include {
		key := fmt.Sprintf("include[%d]", i)
		at := &Node{File: path, path: key}
		at.Line, at.Column = doc.Pos(key)
		if ld.noIncludes {
			ld.probs.Add(at.problem("", "includes are not read here"))
			continue
		}
		if strings.TrimSpace(inc) == "" {
			ld.probs.Add(at.problem("", "empty include path"))
			continue
		}
		if filepath.IsAbs(inc) {
			ld.probs.Add(at.problem("", "%q is an absolute path; include files by paths relative to %s", inc, filepath.Base(path)))
			continue
		}
		full := filepath.Join(dir, filepath.FromSlash(inc))
		var files []string
		if strings.ContainsAny(inc, "*?[") {
			m, err := filepath.Glob(full)
			if err != nil {
				ld.probs.Add(at.problem("", "bad pattern %q: %v", inc, err))
				continue
			}
			for _, f := range m {
				if fileExists(f) {
					files = append(files, f)
				}
			}
			sort.Strings(files)
			if len(files) == 0 {
				ld.probs.Add(at.problem("", "%q matches no file", inc))
				continue
			}
		} else {
			if st, err := os.Stat(full); err == nil && st.IsDir() {
				ld.probs.Add(at.problem("", "%q is a folder; include its files, e.g. %s", inc, filepath.ToSlash(filepath.Join(inc, "*.yaml"))))
				continue
			}
			files = []string{full}
		}
		for _, f := range files {
			sub := ld.file(f, nil, stack, at)
			if sub != nil {
				merge(doc, sub, ld.probs)
			}
		}
	}
	return doc
}

// merge adds an included document's entries to doc: lists are appended,
// maps joined, and single values may be set by one file only.
func merge(doc, sub *Document, probs *diag.List) {
	dv, sv := reflect.ValueOf(doc).Elem(), reflect.ValueOf(sub).Elem()
	for _, f := range yamlFields(dv.Type()) {
		df, sf := dv.FieldByIndex(f.index), sv.FieldByIndex(f.index)
		if sf.IsZero() || f.name == "include" || f.name == "caravan" {
			continue
		}
		switch sf.Kind() {
		case reflect.Slice:
			df.Set(reflect.AppendSlice(df, sf))
		case reflect.Map:
			if df.IsNil() {
				df.Set(reflect.MakeMap(df.Type()))
			}
			iter := sf.MapRange()
			for iter.Next() {
				if df.MapIndex(iter.Key()).IsValid() {
					probs.Add(sub.problem(f.name+"."+iter.Key().String(), "%s is already given in another file of the scenario", iter.Key().String()))
					continue
				}
				df.SetMapIndex(iter.Key(), iter.Value())
			}
		default:
			if !df.IsZero() {
				probs.Add(sub.problem(f.name, "%s is already set in %s; set it in one file only", f.name, doc.File))
				continue
			}
			df.Set(sf)
		}
	}
}
