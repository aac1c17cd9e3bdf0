package main

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(t *testing.T, c config)
		wantErr string
	}{
		{name: "defaults", check: func(t *testing.T, c config) {
			o := c.Controller
			if o.Namespace != "pilar-system" || o.DefaultServerSecret != "pilar-postgres-admin" || o.APIServerImage != "" ||
				o.APIServerServiceAccount != "pilar-apiserver" || o.NIKKeySecret != "pilar-nik-key" || o.NIKKeySecretKey != "key" ||
				o.MaxConcurrentReconciles != 4 || o.Selector != nil || c.LeaderElect {
				t.Errorf("defaults %+v", c)
			}
		}},
		{name: "namespace from POD_NAMESPACE", env: map[string]string{"POD_NAMESPACE": "pilar"}, check: func(t *testing.T, c config) {
			if c.Controller.Namespace != "pilar" {
				t.Errorf("namespace %q", c.Controller.Namespace)
			}
		}},
		{name: "the flag wins over POD_NAMESPACE", args: []string{"--namespace=ops"}, env: map[string]string{"POD_NAMESPACE": "pilar"},
			check: func(t *testing.T, c config) {
				if c.Controller.Namespace != "ops" {
					t.Errorf("namespace %q", c.Controller.Namespace)
				}
			}},
		{name: "everything set", args: []string{
			"--leader-elect", "--default-server-secret=pg", "--apiserver-image=img:1", "--apiserver-service-account=sa",
			"--nik-key-secret=nik", "--nik-key-secret-key=k", "--max-concurrent-reconciles=8", "--region-selector=tier=big",
		}, check: func(t *testing.T, c config) {
			o := c.Controller
			if !c.LeaderElect || o.DefaultServerSecret != "pg" || o.APIServerImage != "img:1" || o.APIServerServiceAccount != "sa" ||
				o.NIKKeySecret != "nik" || o.NIKKeySecretKey != "k" || o.MaxConcurrentReconciles != 8 || o.Selector.String() != "tier=big" {
				t.Errorf("parsed %+v", c)
			}
		}},
		{name: "empty namespace", args: []string{"--namespace="}, wantErr: "-namespace"},
		{name: "empty server secret", args: []string{"--default-server-secret="}, wantErr: "-default-server-secret"},
		{name: "no concurrency", args: []string{"--max-concurrent-reconciles=0"}, wantErr: "at least 1"},
		{name: "bad selector", args: []string{"--region-selector=a b c"}, wantErr: "-region-selector"},
		{name: "stray argument", args: []string{"extra"}, wantErr: "unexpected arguments"},
		{name: "unknown flag", args: []string{"--no-such-flag"}, wantErr: "no-such-flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}
