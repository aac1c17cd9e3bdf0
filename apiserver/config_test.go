package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := parseConfig(nil, env(nil))
	if err != nil || c.Listen != "127.0.0.1:8080" || c.TenantsDir != "tenants" || !c.PathRegions || c.DBMaxConns != 4 {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = parseConfig([]string{"-listen", ":9000"}, env(map[string]string{"PILAR_LISTEN": ":7000", "PILAR_DB_IDLE": "30s", "PILAR_BASE_DOMAIN": "pilar.id"}))
	if err != nil || c.Listen != ":9000" || c.DBIdle != 30*time.Second || c.BaseDomain != "pilar.id" {
		t.Fatalf("flags over environment: %+v %v", c, err)
	}
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-db-max-conns", "0"}, nil, "-db-max-conns 0"},
		{nil, map[string]string{"PILAR_DB_IDLE": "soon"}, "PILAR_DB_IDLE"},
		{[]string{"-mode", "cluster"}, nil, "-nik-key-file"},
		{[]string{"-mode", "elsewhere"}, nil, "-mode"},
		{[]string{"-mode", "cluster", "-nik-key-file", "k", "-region", "Kota_Bandung"}, nil, "-region"},
		{[]string{"-region", "bandung"}, nil, "-mode cluster"},
		{[]string{"-log-level", "loud"}, nil, "-log-level"},
		{[]string{"-db-idle", "-1s"}, nil, "-db-idle"},
	} {
		if _, err := parseConfig(tt.args, env(tt.env)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v: error %v, want one naming %s", tt.args, tt.env, err, tt.want)
		}
	}
}

func TestParseConfigClusterMode(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := parseConfig([]string{"-mode", "cluster", "-nik-key-file", "/etc/pilar/nik/key"}, env(map[string]string{"KUBECONFIG": "/tmp/kc"}))
	if err != nil || c.Namespace != "pilar-system" || c.Kubeconfig != "/tmp/kc" || c.Region != "" {
		t.Fatalf("cluster defaults: %+v %v", c, err)
	}
	c, err = parseConfig([]string{"-mode", "cluster", "-region", "bandung", "-kubeconfig", "/a"},
		env(map[string]string{"POD_NAMESPACE": "pilar", "PILAR_NIK_KEY_FILE": "/k", "KUBECONFIG": "/b"}))
	if err != nil || c.Namespace != "pilar" || c.Region != "bandung" || c.NIKKeyFile != "/k" || c.Kubeconfig != "/a" {
		t.Fatalf("cluster flags and environment: %+v %v", c, err)
	}
}
