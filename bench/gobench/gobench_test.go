package gobench

import (
	"os"
	"testing"
)

func TestParse(t *testing.T) {
	f, err := os.Open("testdata/output.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{Package: "pilar.id/pilar/policies", Name: "Enforce/uncached", Runs: 3, NsPerOp: 5329, MinNsPerOp: 5129, MaxNsPerOp: 6000, BytesPerOp: 1873, AllocsPerOp: 35},
		{Package: "pilar.id/pilar/policies", Name: "Enforce/cached", Runs: 1, NsPerOp: 214.5, MinNsPerOp: 214.5, MaxNsPerOp: 214.5, BytesPerOp: 80, AllocsPerOp: 4},
		{Package: "pilar.id/pilar/apiserver/authz", Name: "RequestAuthorization", Runs: 2, NsPerOp: 29000, MinNsPerOp: 28000, MaxNsPerOp: 30000, BytesPerOp: 5100, AllocsPerOp: 101},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("result %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if r, ok := Find(got, "Enforce/cached"); !ok || r.NsPerOp != 214.5 {
		t.Errorf("Find: %+v %v", r, ok)
	}
}
