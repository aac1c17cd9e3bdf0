package v1alpha1

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

var (
	kecamatanCode = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$`)
	wardCode      = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[12][0-9]{3}$`)
)

// WardKind tells a kelurahan from a desa by its official code: the last four
// digits start with 1 for a kelurahan and with 2 for a desa.
func WardKind(code string) string {
	if i := strings.LastIndexByte(code, '.'); i >= 0 && i+1 < len(code) && code[i+1] == '2' {
		return "desa"
	}
	return "kelurahan"
}

// ParseAreasCSV reads kecamatan and wards in the official code format, one area
// a line: code,parent_code,name[,population[,rw_count]]. Kecamatan lines name the
// region as parent; ward lines name their kecamatan, which must come first.
// A header line whose first field is "code" is skipped. Errors name the line.
func ParseAreasCSV(r io.Reader, regionCode string) ([]Kecamatan, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var out []Kecamatan
	index := map[string]int{}
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("areas csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(rec[0]), "code") {
			continue
		}
		if len(rec) < 3 || len(rec) > 5 {
			return nil, fmt.Errorf("areas csv: line %d: want code,parent_code,name[,population[,rw_count]], got %d fields", line, len(rec))
		}
		code, parent, name := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1]), strings.TrimSpace(rec[2])
		if name == "" {
			return nil, fmt.Errorf("areas csv: line %d: name is empty", line)
		}
		if seen[code] {
			return nil, fmt.Errorf("areas csv: line %d: code %q appears twice", line, code)
		}
		seen[code] = true
		var population int64
		var rw int32
		if len(rec) >= 4 && strings.TrimSpace(rec[3]) != "" {
			population, err = strconv.ParseInt(strings.TrimSpace(rec[3]), 10, 64)
			if err != nil || population < 0 {
				return nil, fmt.Errorf("areas csv: line %d: population %q is not a whole number of at least 0", line, rec[3])
			}
		}
		if len(rec) == 5 && strings.TrimSpace(rec[4]) != "" {
			n, err := strconv.ParseInt(strings.TrimSpace(rec[4]), 10, 32)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("areas csv: line %d: rw_count %q is not a whole number of at least 0", line, rec[4])
			}
			rw = int32(n)
		}
		switch {
		case kecamatanCode.MatchString(code):
			if parent != regionCode || !strings.HasPrefix(code, regionCode+".") {
				return nil, fmt.Errorf("areas csv: line %d: kecamatan %s must have the region %s as parent, not %q", line, code, regionCode, parent)
			}
			index[code] = len(out)
			out = append(out, Kecamatan{Code: code, Name: name})
		case wardCode.MatchString(code):
			i, ok := index[parent]
			if !ok || !strings.HasPrefix(code, parent+".") {
				return nil, fmt.Errorf("areas csv: line %d: ward %s names parent %q, which is not a kecamatan listed above it", line, code, parent)
			}
			out[i].Wards = append(out[i].Wards, Ward{Code: code, Name: name, Population: population, RW: rw})
		default:
			return nil, fmt.Errorf("areas csv: line %d: code %q is neither a kecamatan (NN.NN.NN) nor a kelurahan/desa (NN.NN.NN.[12]NNN)", line, code)
		}
	}
	return out, nil
}
