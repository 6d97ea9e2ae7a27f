package results

import (
	"strconv"
	"strings"
)

func itoa(i int) string { return strconv.Itoa(i) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// appendRow appends one CSV record, quoting fields that need it.
func appendRow(buf []byte, fields ...string) []byte {
	for i, f := range fields {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = AppendField(buf, f)
	}
	return append(buf, '\n')
}

// AppendField appends one CSV field, quoted if it holds a comma, quote or
// line break.
func AppendField(buf []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(buf, s...)
	}
	buf = append(buf, '"')
	buf = append(buf, strings.ReplaceAll(s, `"`, `""`)...)
	return append(buf, '"')
}
