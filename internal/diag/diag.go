// Package diag carries problems found in user input, each tied to a file,
// line, column and field, so that a validator can report all of them at once.
package diag

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one defect in user input.
type Problem struct {
	File   string // path as the user gave it
	Line   int    // 1-based; 0 when the problem concerns the whole file
	Column int    // 1-based CSV column or YAML column; 0 when unknown
	Field  string // the column or key the problem concerns
	Msg    string // what is wrong, lowercase, naming the value
	Hint   string // how to fix it, or "" ("did you mean ...")
	// Warning problems are reported but do not stop a run.
	Warning bool
}

func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	if p.Warning {
		b.WriteString("warning: ")
	}
	if p.Field != "" {
		fmt.Fprintf(&b, "%s: ", p.Field)
	}
	b.WriteString(p.Msg)
	if p.Hint != "" {
		fmt.Fprintf(&b, " (%s)", p.Hint)
	}
	return b.String()
}

// List collects problems. The zero value is ready to use.
type List struct {
	Problems []Problem
}

// Add records a problem.
func (l *List) Add(p Problem) { l.Problems = append(l.Problems, p) }

// Errorf records an error at a position.
func (l *List) Errorf(file string, line, col int, field, format string, args ...any) {
	l.Add(Problem{File: file, Line: line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// Warnf records a warning at a position.
func (l *List) Warnf(file string, line, col int, field, format string, args ...any) {
	l.Add(Problem{File: file, Line: line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...), Warning: true})
}

// HasErrors reports whether any problem is not a warning.
func (l *List) HasErrors() bool {
	for _, p := range l.Problems {
		if !p.Warning {
			return true
		}
	}
	return false
}

// Errors returns only the problems that are errors.
func (l *List) Errors() []Problem {
	var out []Problem
	for _, p := range l.Problems {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Warnings returns only the warnings.
func (l *List) Warnings() []Problem {
	var out []Problem
	for _, p := range l.Problems {
		if p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Sort orders problems by file, line and column, keeping insertion order
// among equals, so reports are stable.
func (l *List) Sort() {
	sort.SliceStable(l.Problems, func(i, j int) bool {
		a, b := l.Problems[i], l.Problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// Err returns the list as an error if it holds errors, else nil.
func (l *List) Err() error {
	if !l.HasErrors() {
		return nil
	}
	return &Error{Problems: l.Errors()}
}

// Error is returned when input has one or more errors.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Suggest returns the candidate closest to name by edit distance, or "" if
// none is close enough to be a plausible typo.
func Suggest(name string, candidates []string) string {
	best, bestD := "", -1
	ln := strings.ToLower(name)
	for _, c := range candidates {
		d := editDistance(ln, strings.ToLower(c))
		// Ties go to the alphabetically first, so the hint does not depend
		// on the order candidates come in (often a map's).
		if bestD < 0 || d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	limit := len(name)/3 + 1
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// DidYouMean formats a suggestion hint, or "" when there is none.
func DidYouMean(name string, candidates []string) string {
	if s := Suggest(name, candidates); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return ""
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
