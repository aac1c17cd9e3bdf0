// Package wilayah turns Indonesia's administrative areas — the 514 regencies
// and cities with their kecamatan and kelurahan/desa, read at run time from
// the shared data set (never copied into the repository) — into Region
// manifests for the benchmarks, ranked by size so that load can be skewed
// towards a few large cities and spread thinly over many small regencies.
//
// Codes and names are official. Populations and RW counts are not in the data
// set; they are made up, deterministically from each ward's code, within
// plausible ranges (a kelurahan has more RW and residents than a desa).
package wilayah

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/policies"
)

// EnvDir names the environment variable giving the data set's directory.
const EnvDir = "PILAR_WILAYAH_DIR"

// DefaultDir is where the data set is looked for, relative to the
// repository root, when EnvDir is not set.
const DefaultDir = "../shared/data/wilayah"

// Village is a kelurahan (code …​.1xxx) or desa (…​.2xxx).
type Village struct{ Code, Name string }

// District is a kecamatan and its villages.
type District struct {
	Code, Name string
	Villages   []Village
}

// Regency is a kota or kabupaten: one region.
type Regency struct {
	Code, Name string
	Districts  []District
	// Rank orders regions by size, 0 the largest; see Load.
	Rank int
	// Slug is the Region's name: a DNS label made of its official name.
	Slug string
	// Skipped are villages the Region type does not accept: the desa adat
	// (customary villages) of Kabupaten Jayapura, whose codes are …​.3xxx.
	Skipped []Village
}

// Kind is v1alpha1.Kota or v1alpha1.Kabupaten, from the official name.
func (r *Regency) Kind() v1alpha1.RegionKind {
	if strings.HasPrefix(r.Name, "Kota ") {
		return v1alpha1.Kota
	}
	return v1alpha1.Kabupaten
}

// Villages counts the region's kelurahan and desa.
func (r *Regency) Villages() int {
	n := 0
	for _, d := range r.Districts {
		n += len(d.Villages)
	}
	return n
}

// largest are the most populous cities, largest first (Statistics
// Indonesia's 2020 census, rounded): the head of the load's skew.
var largest = []string{
	"31.75", // Jakarta Timur
	"35.78", // Surabaya
	"32.73", // Bandung
	"31.73", // Jakarta Barat
	"32.75", // Bekasi
	"12.71", // Medan
	"31.74", // Jakarta Selatan
	"32.76", // Depok
	"36.71", // Tangerang
	"31.72", // Jakarta Utara
	"16.71", // Palembang
	"33.74", // Semarang
	"73.71", // Makassar
	"21.71", // Batam
	"36.74", // Tangerang Selatan
	"32.71", // Bogor
	"14.71", // Pekanbaru
	"35.73", // Malang
	"13.71", // Padang
	"31.71", // Jakarta Pusat
}

// Dir returns the data set's directory: $PILAR_WILAYAH_DIR, else DefaultDir
// under root. It fails, saying how to fix it, when regencies.csv is not there.
func Dir(root string, getenv func(string) string) (string, error) {
	dir := getenv(EnvDir)
	if dir == "" {
		dir = filepath.Join(root, DefaultDir)
	}
	if _, err := os.Stat(filepath.Join(dir, "regencies.csv")); err != nil {
		return "", fmt.Errorf("wilayah: Indonesia's administrative areas are not in %s (%v); "+
			"set %s to the directory holding regencies.csv, districts.csv and villages.csv", dir, err, EnvDir)
	}
	return dir, nil
}

// Load reads regencies.csv, districts.csv and villages.csv from fsys and
// returns every regency with its tree, ranked: the largest cities first (a
// fixed list), then the other cities, then the kabupaten, each in code order.
func Load(fsys fs.FS) ([]*Regency, error) {
	regRows, err := readCSV(fsys, "regencies.csv")
	if err != nil {
		return nil, err
	}
	distRows, err := readCSV(fsys, "districts.csv")
	if err != nil {
		return nil, err
	}
	vilRows, err := readCSV(fsys, "villages.csv")
	if err != nil {
		return nil, err
	}
	byCode := map[string]*Regency{}
	var out []*Regency
	for _, r := range regRows {
		reg := &Regency{Code: r[0], Name: r[2]}
		byCode[reg.Code] = reg
		out = append(out, reg)
	}
	districts := map[string]*District{}
	for _, d := range distRows {
		reg := byCode[d[1]]
		if reg == nil {
			return nil, fmt.Errorf("wilayah: kecamatan %s names an unknown regency %s", d[0], d[1])
		}
		reg.Districts = append(reg.Districts, District{Code: d[0], Name: d[2]})
	}
	for _, reg := range out {
		for i := range reg.Districts {
			districts[reg.Districts[i].Code] = &reg.Districts[i]
		}
	}
	for _, v := range vilRows {
		d := districts[v[1]]
		if d == nil {
			return nil, fmt.Errorf("wilayah: village %s names an unknown kecamatan %s", v[0], v[1])
		}
		if !wardCode.MatchString(v[0]) {
			reg := byCode[v[1][:5]]
			reg.Skipped = append(reg.Skipped, Village{Code: v[0], Name: v[2]})
			continue
		}
		d.Villages = append(d.Villages, Village{Code: v[0], Name: v[2]})
	}
	rank(out)
	if err := nameSlugs(out); err != nil {
		return nil, err
	}
	return out, nil
}

// rank sorts the regencies by Rank and sets it.
func rank(rs []*Regency) {
	top := map[string]int{}
	for i, c := range largest {
		top[c] = i
	}
	key := func(r *Regency) (int, int) {
		if i, ok := top[r.Code]; ok {
			return 0, i
		}
		if r.Kind() == v1alpha1.Kota {
			return 1, 0
		}
		return 2, 0
	}
	slices.SortStableFunc(rs, func(a, b *Regency) int {
		ga, ia := key(a)
		gb, ib := key(b)
		if ga != gb {
			return ga - gb
		}
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(a.Code, b.Code)
	})
	for i, r := range rs {
		r.Rank = i
	}
}

var (
	nonLabel = regexp.MustCompile(`[^a-z0-9]+`)
	// wardCode is what a Region accepts as a kelurahan (1xxx) or desa (2xxx).
	wardCode = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[12][0-9]{3}$`)
)

// Slug makes a Region name of an official name: "Kota Bandung" is
// kota-bandung, "Kabupaten Bandung" bandung, "Kota Administrasi Jakarta
// Timur" kota-jakarta-timur.
func Slug(name string) string {
	s := strings.ToLower(name)
	for _, p := range []string{"kabupaten administrasi ", "kabupaten "} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			s = rest
			break
		}
	}
	if rest, ok := strings.CutPrefix(s, "kota administrasi "); ok {
		s = "kota " + rest
	}
	s = strings.Trim(nonLabel.ReplaceAllString(s, "-"), "-")
	if len(s) > 50 { // leaves room for a prefix and "pilar_" in the database name
		s = strings.TrimRight(s[:50], "-")
	}
	return s
}

func nameSlugs(rs []*Regency) error {
	seen := map[string]string{}
	for _, r := range rs {
		r.Slug = Slug(r.Name)
		if other, dup := seen[r.Slug]; dup {
			return fmt.Errorf("wilayah: %s and %s both make the name %q", other, r.Code, r.Slug)
		}
		seen[r.Slug] = r.Code
	}
	return nil
}

func readCSV(fsys fs.FS, name string) ([][]string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("wilayah: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = 3
	var rows [][]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("wilayah: %s: %w", name, err)
		}
		if rec[0] == "code" {
			continue
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, rec)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("wilayah: %s is empty", name)
	}
	return rows, nil
}

// wardFigures makes up a ward's RW count and population from its code: a
// kelurahan 6 to 14 RW of 1,200 to 2,000 residents each, a desa 2 to 6 RW of
// 400 to 900.
func wardFigures(code string) (rw int32, population int64) {
	h := fnv.New32a()
	h.Write([]byte(code))
	x := h.Sum32()
	if v1alpha1.WardKind(code) == "kelurahan" {
		rw = 6 + int32(x%9)
		return rw, int64(rw) * (1200 + int64(x>>8%801))
	}
	rw = 2 + int32(x%5)
	return rw, int64(rw) * (400 + int64(x>>8%501))
}

// AreasCSV is the regency's tree in the official code format the Region
// accepts (code,parent_code,name,population,rw_count).
func (r *Regency) AreasCSV() string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"code", "parent_code", "name", "population", "rw_count"})
	for _, d := range r.Districts {
		w.Write([]string{d.Code, r.Code, d.Name})
		for _, v := range d.Villages {
			rw, pop := wardFigures(v.Code)
			w.Write([]string{v.Code, d.Code, v.Name, fmt.Sprint(pop), fmt.Sprint(rw)})
		}
	}
	w.Flush()
	return b.String()
}

// timeZone is the zone of a province: WIB in the west, WITA in the centre,
// WIT in Maluku and Papua.
func timeZone(regencyCode string) string {
	switch p := regencyCode[:2]; {
	case p >= "81":
		return "Asia/Jayapura"
	case p == "51" || p == "52" || p == "53" || (p >= "63" && p <= "76"):
		return "Asia/Makassar"
	}
	return "Asia/Jakarta"
}

// overrides are the example policy overrides of the two demo regions; every
// other region is served under the national baseline alone.
var overrides = map[string]string{"32.73": "kota-bandung.txt", "32.11": "kabupaten-sumedang.txt"}

// Manifest returns the Region of a regency: the template's regulations
// (institution types, both pillars' rules, legal basis) with the regency's
// name, code, kind, time zone, tree and, for the demo regions, their policy
// overrides. name is the Region's metadata.name and labels its labels.
func (r *Regency) Manifest(template *v1alpha1.Region, name string, labels map[string]string) (*v1alpha1.Region, error) {
	m := template.DeepCopy()
	m.ObjectMeta = metav1.ObjectMeta{Name: name, Labels: labels}
	m.Status = v1alpha1.RegionStatus{}
	m.Spec.Code, m.Spec.Name, m.Spec.Kind = r.Code, r.Name, r.Kind()
	m.Spec.TimeZone = timeZone(r.Code)
	m.Spec.Languages = []string{"id", "en"}
	m.Spec.Areas = v1alpha1.Areas{CSV: r.AreasCSV()}
	m.Spec.Policy.Overrides = ""
	if file, ok := overrides[r.Code]; ok {
		text, err := fs.ReadFile(policies.ExampleOverrides(), file)
		if err != nil {
			return nil, fmt.Errorf("wilayah: %w", err)
		}
		m.Spec.Policy.Overrides = string(text)
	}
	if errs := m.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("wilayah: the Region of %s (%s) is invalid: %w", r.Name, r.Code, errs.ToAggregate())
	}
	return m, nil
}

// ReadTemplate reads a Region manifest (tenants/bandung.yaml) to take the
// regulations of every generated region from.
func ReadTemplate(path string) (*v1alpha1.Region, error) {
	m, err := v1alpha1.ReadManifest(path)
	if err != nil {
		return nil, fmt.Errorf("wilayah: %w", err)
	}
	return m, nil
}
