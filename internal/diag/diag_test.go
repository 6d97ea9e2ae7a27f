package diag

import "testing"

func TestProblem_Error(t *testing.T) {
	for _, tc := range []struct {
		p    Problem
		want string
	}{
		{Problem{File: "a.csv", Line: 3, Column: 2, Field: "distance", Msg: "must be positive, got -4"}, "a.csv:3:2: distance: must be positive, got -4"},
		{Problem{File: "a.csv", Msg: "file is empty"}, "a.csv: file is empty"},
		{Problem{File: "a.csv", Line: 1, Field: "name", Msg: "unknown place \"Bangu\"", Hint: `did you mean "Bangui"?`}, `a.csv:1: name: unknown place "Bangu" (did you mean "Bangui"?)`},
		{Problem{File: "s.yml", Line: 2, Msg: "unused key", Warning: true}, "s.yml:2: warning: unused key"},
	} {
		if got := tc.p.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"Bangui", "Bimbo", "Mbaiki", "Kaga Bandoro"}
	for _, tc := range []struct{ in, want string }{
		{"Bangu", "Bangui"},
		{"bimbo", "Bimbo"},
		{"Kaga_Bandoro", "Kaga Bandoro"},
		{"Timbuktu", ""},
	} {
		if got := Suggest(tc.in, names); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestList_ErrOnlyForErrors(t *testing.T) {
	var l List
	l.Warnf("f", 1, 0, "", "just a warning")
	if l.Err() != nil {
		t.Fatal("warnings alone must not be an error")
	}
	l.Errorf("f", 2, 0, "x", "bad")
	if l.Err() == nil || len(l.Errors()) != 1 || len(l.Warnings()) != 1 {
		t.Fatalf("unexpected split: %v", l.Problems)
	}
}
