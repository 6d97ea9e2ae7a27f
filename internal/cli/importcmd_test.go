package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caravan-sim/caravan/internal/flee"
	"github.com/caravan-sim/caravan/internal/spec"
)

func specMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestSchemaCmd(t *testing.T) {
	code, out, errs := specMain(t, "schema")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != string(spec.Schema()) {
		t.Error("schema printed differs from the embedded one")
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil || v["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("not a 2020-12 JSON Schema: %v", err)
	}
	file := filepath.Join(t.TempDir(), "s.json")
	if code, _, errs := specMain(t, "schema", "-o", file); code != 0 {
		t.Fatalf("schema -o: exit %d: %s", code, errs)
	}
	if data, _ := os.ReadFile(file); !bytes.Equal(data, spec.Schema()) {
		t.Error("schema -o wrote something else")
	}
	if code, _, _ := specMain(t, "schema", "extra"); code != 2 {
		t.Errorf("schema with an argument: exit %d; want 2", code)
	}
}

const toyFleeCase = "../../examples/toy-flee"

func TestImportExportCmd(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "toy.yaml")
	code, out, errs := specMain(t, "import", "flee", toyFleeCase, "-o", file)
	if code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "wrote "+file+": 9 places, 12 routes") {
		t.Errorf("import said %q", out)
	}
	if _, err := spec.Load(file); err != nil {
		t.Fatalf("imported file does not load: %v", err)
	}
	// Standard output, and a folder with includes.
	code, out, _ = specMain(t, "import", "flee", toyFleeCase)
	if code != 0 || !strings.HasPrefix(out, "# Caravan scenario imported") {
		t.Errorf("import to standard output: exit %d, %.80q", code, out)
	}
	folder := filepath.Join(tmp, "toy")
	if code, _, errs := specMain(t, "import", "flee", toyFleeCase, "-o", folder); code != 0 {
		t.Fatalf("import to a folder: exit %d: %s", code, errs)
	}
	l, err := spec.Load(folder)
	if err != nil {
		t.Fatalf("imported folder does not load: %v", err)
	}
	if len(l.Files) != 5 {
		t.Errorf("folder has %d files; want scenario.yaml and 4 series", len(l.Files))
	}
	// An existing output needs --force.
	if code, _, errs := specMain(t, "import", "flee", toyFleeCase, "-o", file); code != 2 || !strings.Contains(errs, "--force") {
		t.Errorf("import over an existing file: exit %d: %s", code, errs)
	}
	if code, _, errs := specMain(t, "import", "flee", toyFleeCase, "-o", file, "--force"); code != 0 {
		t.Errorf("import --force: exit %d: %s", code, errs)
	}
	// A broken case is reported with positions and exit status 2.
	if code, _, errs := specMain(t, "import", "flee", filepath.Join(tmp, "nothing")); code != 2 || !strings.Contains(errs, "case folder not found") {
		t.Errorf("import of a missing case: exit %d: %s", code, errs)
	}

	// Export back to Flee's format.
	caseDir := filepath.Join(tmp, "case")
	code, out, errs = specMain(t, "export", "flee", file, "-o", caseDir)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "wrote the Flee case") {
		t.Errorf("export said %q", out)
	}
	if _, err := flee.Load(caseDir, flee.Options{}); err != nil {
		t.Fatalf("exported case does not load: %v", err)
	}
	if code, _, errs := specMain(t, "export", "flee", file, "-o", caseDir); code != 2 || !strings.Contains(errs, "--force") {
		t.Errorf("export over an existing folder: exit %d: %s", code, errs)
	}
	if code, _, errs := specMain(t, "export", "flee", file); code != 2 || !strings.Contains(errs, "-o") {
		t.Errorf("export without -o: exit %d: %s", code, errs)
	}
	// What Flee cannot hold is refused item by item, and nothing is written.
	refused := filepath.Join(tmp, "refused")
	code, _, errs = specMain(t, "export", "flee", "../spec/testdata/full.yaml", "-o", refused)
	if code != 2 {
		t.Fatalf("export of full.yaml: exit %d; want 2", code)
	}
	for _, want := range []string{`policy "iran-relocates": policies.reception cannot be written in Flee's case format`,
		`group "armenians": groups cannot be written in Flee's case format`} {
		if !strings.Contains(errs, want) {
			t.Errorf("export refusal lacks %q:\n%s", want, errs)
		}
	}
	if _, err := os.Stat(refused); err == nil {
		t.Error("a refused export wrote its folder")
	}
}
