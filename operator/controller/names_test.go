package controller

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/operator/api/v1alpha1"
	"pilar.id/pilar/operator/postgres"
)

func TestNamesOf(t *testing.T) {
	tests := []struct {
		name    string
		region  string
		db      v1alpha1.DatabaseSpec
		want    databaseNames
		wantErr string
	}{
		{"defaults", "kota-bandung", v1alpha1.DatabaseSpec{},
			databaseNames{Server: "default", Database: "pilar_kota_bandung", Role: "pilar_kota_bandung"}, ""},
		{"named database, role follows", "bandung", v1alpha1.DatabaseSpec{Name: "bdg"},
			databaseNames{Server: "default", Database: "bdg", Role: "bdg"}, ""},
		{"everything named", "bandung", v1alpha1.DatabaseSpec{Name: "bdg", Role: "bdg_owner", Server: v1alpha1.ServerRef{SecretName: "pg2"}},
			databaseNames{Server: "pg2", Database: "bdg", Role: "bdg_owner"}, ""},
		{"a name too long for a default", strings.Repeat("a", 60), v1alpha1.DatabaseSpec{}, databaseNames{}, "set spec.database.name"},
		{"a dotted name", "kota.bandung", v1alpha1.DatabaseSpec{}, databaseNames{}, "not a valid name"},
		{"a long name with its own database", strings.Repeat("a", 60), v1alpha1.DatabaseSpec{Name: "short"},
			databaseNames{Server: "default", Database: "short", Role: "short"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &v1alpha1.Region{ObjectMeta: metav1.ObjectMeta{Name: tt.region}, Spec: v1alpha1.RegionSpec{Database: tt.db}}
			got, err := namesOf(r, "default")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("namesOf = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestClaimant(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	region := func(name string, age int, db string, holds bool, server string) v1alpha1.Region {
		r := v1alpha1.Region{ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(t0.Add(time.Duration(age) * time.Minute))}}
		r.Spec.Database.Name = db
		r.Spec.Database.Server.SecretName = server
		if holds {
			r.Status.Database, r.Status.Role = db, db
		}
		return r
	}
	tests := []struct {
		name   string
		me     v1alpha1.Region
		others []v1alpha1.Region
		want   string
	}{
		{"alone", region("a", 0, "x", false, ""), nil, ""},
		{"different names", region("a", 0, "x", false, ""), []v1alpha1.Region{region("b", 0, "y", true, "")}, ""},
		{"same name on another server", region("a", 0, "x", false, ""), []v1alpha1.Region{region("b", 0, "x", true, "pg2")}, ""},
		{"a holder beats a newcomer, even a younger holder", region("a", 0, "x", false, ""), []v1alpha1.Region{region("b", 5, "x", true, "")}, "b"},
		{"a holder keeps its names", region("a", 5, "x", true, ""), []v1alpha1.Region{region("b", 0, "x", false, "")}, ""},
		{"between newcomers the older wins", region("a", 5, "x", false, ""), []v1alpha1.Region{region("b", 0, "x", false, "")}, "b"},
		{"the older newcomer goes ahead", region("a", 0, "x", false, ""), []v1alpha1.Region{region("b", 5, "x", false, "")}, ""},
		{"same age: the first by name", region("b", 0, "x", false, ""), []v1alpha1.Region{region("a", 0, "x", false, "")}, "a"},
		{"the holder is named among several", region("c", 9, "x", false, ""),
			[]v1alpha1.Region{region("a", 0, "x", false, ""), region("b", 5, "x", true, "")}, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := namesOf(&tt.me, "default")
			if err != nil {
				t.Fatal(err)
			}
			got, what := claimant(&tt.me, want, append(tt.others, tt.me), "default")
			name := ""
			if got != nil {
				name = got.Name
				if !strings.Contains(what, "x") {
					t.Errorf("clash %q does not name the database", what)
				}
			}
			if name != tt.want {
				t.Errorf("claimant = %q, want %q", name, tt.want)
			}
		})
	}
}

func TestAdminFromSecret(t *testing.T) {
	secret := func(data map[string]string) *corev1.Secret {
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "pg"}, Data: map[string][]byte{}}
		for k, v := range data {
			s.Data[k] = []byte(v)
		}
		return s
	}
	full := map[string]string{"host": "db.local", "port": "5432", "username": "postgres", "password": "pw"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range full {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name    string
		data    map[string]string
		want    postgres.Admin
		wantErr string
	}{
		{"complete", full, postgres.Admin{Endpoint: postgres.Endpoint{Host: "db.local", Port: 5432, SSLMode: "disable"}, User: "postgres", Password: "pw"}, ""},
		{"sslmode", with("sslmode", "verify-full"), postgres.Admin{Endpoint: postgres.Endpoint{Host: "db.local", Port: 5432, SSLMode: "verify-full"}, User: "postgres", Password: "pw"}, ""},
		{"no host", with("host", ""), postgres.Admin{}, "lacks host"},
		{"no password", with("password", ""), postgres.Admin{}, "lacks password"},
		{"nothing", map[string]string{}, postgres.Admin{}, "lacks host, username, password, port"},
		{"port not a number", with("port", "fivefour"), postgres.Admin{}, "not a port number"},
		{"port out of range", with("port", "70000"), postgres.Admin{}, "not a port number"},
		{"unknown sslmode", with("sslmode", "yes"), postgres.Admin{}, "not a libpq sslmode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := adminFromSecret(secret(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want one saying %q", err, tt.wantErr)
				}
				if err != nil && strings.Contains(err.Error(), "pw") {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("adminFromSecret = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestDescribeGaps(t *testing.T) {
	two, four := partnership.Pillar("TwoPillar"), partnership.Pillar("FourPillar")
	tests := []struct {
		pillars []partnership.Pillar
		gaps    map[partnership.Pillar][]string
		want    string
	}{
		{[]partnership.Pillar{two}, nil, ""},
		{[]partnership.Pillar{two, four}, map[partnership.Pillar][]string{four: {"csr-forum"}, two: {"procurement", "technical-guidelines"}},
			"TwoPillar: procurement, technical-guidelines; FourPillar: csr-forum"},
		{[]partnership.Pillar{four}, map[partnership.Pillar][]string{four: {"csr-obligation"}}, "FourPillar: csr-obligation"},
	}
	for _, tt := range tests {
		if got := describeGaps(tt.pillars, tt.gaps); got != tt.want {
			t.Errorf("describeGaps = %q, want %q", got, tt.want)
		}
	}
}
