package v1alpha1

import (
	"os"
	"strings"
	"testing"
)

func TestParseAreasCSV(t *testing.T) {
	got, err := ParseAreasCSV(strings.NewReader("code,parent_code,name\n32.73.01,32.73,Sukasari\n32.73.01.1001,32.73.01,Sukarasa,18400,10\n32.73.01.1002,32.73.01,Gegerkalong\n"), "32.73")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "Sukasari" || len(got[0].Wards) != 2 {
		t.Fatalf("%+v", got)
	}
	if w := got[0].Wards[0]; w.Population != 18400 || w.RW != 10 {
		t.Errorf("first ward %+v", w)
	}
}

func TestParseAreasCSVRefuses(t *testing.T) {
	tests := []struct{ name, csv, want string }{
		{"kecamatan of another region", "32.74.01,32.74,X\n", "must have the region 32.73 as parent"},
		{"ward before its kecamatan", "32.73.01.1001,32.73.01,X\n", "not a kecamatan listed above it"},
		{"ward under the wrong kecamatan", "32.73.01,32.73,A\n32.73.02.1001,32.73.01,X\n", "not a kecamatan listed above it"},
		{"duplicate", "32.73.01,32.73,A\n32.73.01,32.73,A\n", "appears twice"},
		{"village code that is neither", "32.73.01,32.73,A\n32.73.01.3001,32.73.01,X\n", "neither a kecamatan"},
		{"too few fields", "32.73.01,32.73\n", "line 1: want code,parent_code,name"},
		{"empty name", "32.73.01,32.73, \n", "name is empty"},
		{"negative population", "32.73.01,32.73,A\n32.73.01.1001,32.73.01,X,-3\n", "line 2: population"},
		{"bad rw count", "32.73.01,32.73,A\n32.73.01.1001,32.73.01,X,3,ten\n", "rw_count"},
		{"unbalanced quote", "32.73.01,32.73,\"A\n", "areas csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAreasCSV(strings.NewReader(tt.csv), "32.73")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

// Kota Bandung as the national reference list has it (testdata/README.md):
// every one of its 30 kecamatan and 151 kelurahan parses.
func TestParseAreasCSVWithTheOfficialList(t *testing.T) {
	f, err := os.Open("testdata/wilayah-32.73.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ParseAreasCSV(f, "32.73")
	if err != nil {
		t.Fatal(err)
	}
	wards := 0
	for _, k := range got {
		wards += len(k.Wards)
	}
	if len(got) != 30 || wards != 151 {
		t.Fatalf("Kota Bandung: %d kecamatan and %d kelurahan, want 30 and 151", len(got), wards)
	}
}

func FuzzParseAreasCSV(f *testing.F) {
	f.Add("32.73.01,32.73,Sukasari\n32.73.01.1001,32.73.01,Sukarasa,18400,10\n")
	f.Add("code,parent_code,name\n32.73.02,32.73,\"Coblong, Kota\"\n")
	f.Fuzz(func(t *testing.T, text string) {
		ks, err := ParseAreasCSV(strings.NewReader(text), "32.73")
		if err != nil {
			return
		}
		for _, k := range ks {
			if !strings.HasPrefix(k.Code, "32.73.") {
				t.Fatalf("accepted kecamatan %q outside the region", k.Code)
			}
			for _, w := range k.Wards {
				if !strings.HasPrefix(w.Code, k.Code+".") || w.Population < 0 || w.RW < 0 {
					t.Fatalf("accepted ward %+v under %s", w, k.Code)
				}
			}
		}
	})
}
