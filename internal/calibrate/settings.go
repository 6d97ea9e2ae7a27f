package calibrate

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"
)

// SettingsFile returns the simsetting.yml a case run uses: the given one,
// else the case's own, else "" (Flee's code defaults).
func SettingsFile(caseDir, given string) string {
	if given != "" {
		return given
	}
	p := filepath.Join(caseDir, "simsetting.yml")
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		return p
	}
	return ""
}

// WriteSettings returns the content of base (a simsetting.yml, or "" for
// none) with the KEY=VALUE overrides applied, keys in their original order
// and new keys appended to their section. Comments are not kept; header is
// written first as comment lines.
func WriteSettings(base string, overrides []string, header []string) ([]byte, error) {
	var doc yaml.MapSlice
	if base != "" {
		data, err := os.ReadFile(base)
		if err != nil {
			return nil, err
		}
		if err := yaml.UnmarshalWithOptions(data, &doc, yaml.UseOrderedMap()); err != nil {
			return nil, fmt.Errorf("%s: %w", base, err)
		}
	}
	for _, o := range overrides {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			return nil, fmt.Errorf("override %q: want KEY=VALUE", o)
		}
		var val any
		if err := yaml.Unmarshal([]byte(v), &val); err != nil {
			return nil, fmt.Errorf("override %q: %w", o, err)
		}
		doc = setPath(doc, strings.Split(strings.TrimSpace(k), "."), val)
	}
	out, err := yaml.MarshalWithOptions(doc, yaml.Indent(2))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, h := range header {
		b.WriteString("# " + h + "\n")
	}
	b.Write(out)
	return b.Bytes(), nil
}

func setPath(m yaml.MapSlice, path []string, val any) yaml.MapSlice {
	for i := range m {
		if fmt.Sprint(m[i].Key) != path[0] {
			continue
		}
		if len(path) == 1 {
			m[i].Value = val
			return m
		}
		sub, _ := m[i].Value.(yaml.MapSlice)
		m[i].Value = setPath(sub, path[1:], val)
		return m
	}
	if len(path) == 1 {
		return append(m, yaml.MapItem{Key: path[0], Value: val})
	}
	return append(m, yaml.MapItem{Key: path[0], Value: setPath(nil, path[1:], val)})
}
