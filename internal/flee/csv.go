package flee

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/caravan-sim/caravan/internal/diag"
)

// row is one CSV record with the position of each field.
type row struct {
	line   int
	fields []string
	cols   []int // 1-based column (byte offset) of each field
}

func (r row) col(i int) int {
	if i < len(r.cols) {
		return r.cols[i]
	}
	if len(r.cols) > 0 {
		return r.cols[len(r.cols)-1]
	}
	return 1
}

// isComment reports whether Flee skips the row as a header or comment: its
// first field (after unquoting) starts with '#'.
func (r row) isComment() bool {
	return len(r.fields) > 0 && strings.HasPrefix(r.fields[0], "#")
}

// csvFile is a parsed CSV file.
type csvFile struct {
	path string
	rows []row
	sum  []byte // raw content, for hashing
	// endsMidRow is set when the text does not end with a line break, as
	// when a file is cut off.
	endsMidRow bool
}

// shortRowHint returns a hint for a row with too few fields: if it is the
// last row and the file ends without a line break, the file may be cut off.
func (f *csvFile) shortRowHint(r row) string {
	if f.endsMidRow && len(f.rows) > 0 && f.rows[len(f.rows)-1].line == r.line {
		return "the file ends in the middle of this row; is it truncated?"
	}
	return ""
}

// readCSV reads a whole CSV file the way Python's csv module does for Flee:
// quoted fields, any number of fields per row, blank lines skipped. A UTF-8
// byte-order mark is dropped; text that is not UTF-8 is an error.
func readCSV(path string, probs *diag.List) (*csvFile, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		probs.Add(diag.Problem{File: path, Msg: describeOpenError(err)})
		return nil, false
	}
	return parseCSV(path, data, probs)
}

// printable returns s as it is when it prints on one line, else quoted, so
// that a message about a value with a line break stays on one line.
func printable(s string) string {
	for _, r := range s {
		if unicode.IsControl(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

// errorsSince reports whether probs gained an error after its first mark
// problems, so that a reader judges its own file, not the files read before.
func errorsSince(probs *diag.List, mark int) bool {
	for _, p := range probs.Problems[mark:] {
		if !p.Warning {
			return true
		}
	}
	return false
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

func parseCSV(path string, data []byte, probs *diag.List) (*csvFile, bool) {
	f := &csvFile{path: path, sum: data}
	if bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) {
		probs.Add(diag.Problem{File: path, Line: 1, Column: 1, Msg: "the file is UTF-16 text, not UTF-8",
			Hint: "save it as UTF-8; in Excel, as CSV UTF-8"})
		return nil, false
	}
	body := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(body) {
		at := firstInvalidUTF8(body)
		line, col := position(body, at)
		probs.Add(diag.Problem{File: path, Line: line, Column: col,
			Msg:  fmt.Sprintf("byte 0x%02x is not valid UTF-8 text", body[at]),
			Hint: "save the file as UTF-8; it may be in Latin-1 or Windows-1252"})
		return nil, false
	}
	if at := bytes.IndexByte(body, 0); at >= 0 {
		line, col := position(body, at)
		probs.Add(diag.Problem{File: path, Line: line, Column: col, Msg: "file contains a NUL byte; is it a CSV text file?"})
		return nil, false
	}
	f.endsMidRow = len(body) > 0 && body[len(body)-1] != '\n' && body[len(body)-1] != '\r'
	// Python's csv module, which Flee uses, also ends lines at a lone CR
	// (classic Mac text); encoding/csv does not, so turn those into LF. The
	// length is unchanged, so columns stay right.
	body = loneCRToLF(body)
	if at := unclosedQuote(body); at >= 0 {
		line, col := position(body, at)
		probs.Add(diag.Problem{File: path, Line: line, Column: col,
			Msg:  "quoted field is never closed: the file ends inside it",
			Hint: "is the file truncated, or a closing \" missing?"})
		return nil, false
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				probs.Add(diag.Problem{File: path, Line: pe.Line, Column: pe.Column, Msg: pe.Err.Error()})
			} else {
				probs.Add(diag.Problem{File: path, Msg: err.Error()})
			}
			return nil, false
		}
		line, _ := r.FieldPos(0)
		cols := make([]int, len(rec))
		for i := range rec {
			_, cols[i] = r.FieldPos(i)
		}
		f.rows = append(f.rows, row{line: line, fields: rec, cols: cols})
	}
	return f, true
}

// position returns the 1-based line and byte column of offset at in b.
func position(b []byte, at int) (line, col int) {
	line = 1 + bytes.Count(b[:at], []byte("\n"))
	return line, at - bytes.LastIndexByte(b[:at], '\n')
}

// loneCRToLF replaces every CR not followed by LF with LF.
func loneCRToLF(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	out := append([]byte(nil), b...)
	for i, c := range out {
		if c == '\r' && (i+1 == len(out) || out[i+1] != '\n') {
			out[i] = '\n'
		}
	}
	return out
}

// unclosedQuote returns the offset of the opening quote of a quoted field
// that is still open at the end of b, or -1. It follows encoding/csv with
// LazyQuotes, which would otherwise take the rest of the file as the field;
// Python's csv module, as Flee uses it, stops with "unexpected end of data".
// Lines must end in LF or CRLF (see loneCRToLF).
func unclosedQuote(b []byte) int {
	fieldStart := true
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '"' || !fieldStart {
			fieldStart = c == ',' || c == '\n'
			continue
		}
		open, closed := i, false
		for i++; i < len(b) && !closed; i++ {
			if b[i] != '"' {
				continue
			}
			rest := b[i+1:]
			switch {
			case len(rest) == 0:
				closed = true
			case rest[0] == '"': // an escaped quote
				i++
			case rest[0] == ',' || rest[0] == '\n':
				closed = true
			case rest[0] == '\r' && len(rest) > 1 && rest[1] == '\n':
				closed = true
				i++
			}
			// Any other byte after a quote is a literal quote (LazyQuotes).
		}
		if !closed {
			return open
		}
		// b[i] is now the comma or LF after the closing quote, or past the end.
		i--
		fieldStart = false
	}
	return -1
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// parseInt reads an integer as Python's int() does: surrounding spaces are
// allowed, a fraction is not.
func parseInt(s string) (int, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty; need a whole number")
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(t, "_", ""), 10, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%q is too large", t)
		}
		if _, ferr := strconv.ParseFloat(t, 64); ferr == nil {
			return 0, fmt.Errorf("%q is not a whole number", t)
		}
		return 0, fmt.Errorf("%q is not a number", t)
	}
	if v > math.MaxInt32 || v < math.MinInt32 {
		return 0, fmt.Errorf("%q is out of range (|value| must be below 2^31)", t)
	}
	return int(v), nil
}

// parseFloat reads a finite number; NaN and infinities are rejected because
// no Flee input means them.
func parseFloat(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty; need a number")
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%q is out of range", t)
		}
		return 0, fmt.Errorf("%q is not a number", t)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite number", t)
	}
	return v, nil
}
