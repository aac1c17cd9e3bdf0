package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"os"
	"sort"
	"testing"

	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/policies"
)

var update = flag.Bool("update", false, "rewrite openapi.json from the operations table")

// Every route the application serves is documented, and every documented
// operation is served: the document and the routes cannot drift apart.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	app := New(Options{Registry: tenancy.NewRegistry(), PathRegions: true, Platform: &Platform{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	served := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		if r.Method == "HEAD" {
			continue // Fiber answers HEAD for every GET
		}
		served[r.Method+" "+r.Path] = true
	}
	documented := map[string]bool{}
	for _, op := range operations {
		key := op.Method + " " + op.Path
		if documented[key] {
			t.Errorf("%s is documented twice", key)
		}
		documented[key] = true
		if op.Permission != "" && !op.Permission.Known() {
			t.Errorf("%s names an unknown permission %q", key, op.Permission)
		}
	}
	var missing, stale []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	for _, k := range missing {
		t.Errorf("route %s is served but not in the operations of openapi.go", k)
	}
	for _, k := range stale {
		t.Errorf("operation %s is documented but not served", k)
	}
}

// openapi.json is exactly what the operations generate.
func TestOpenAPIDocumentIsCurrent(t *testing.T) {
	doc, err := openAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		must(t, os.WriteFile("openapi.json", doc, 0o644))
		return
	}
	if !bytes.Equal(doc, openAPIJSON) {
		t.Fatal("openapi.json is out of date: run go test ./apiserver/web -run OpenAPIDocument -update")
	}
	var parsed struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(doc, &parsed); err != nil || parsed.OpenAPI != "3.0.3" {
		t.Fatalf("not an OpenAPI 3 document: %v", err)
	}
	op := parsed.Paths["/r/{region}/api/musrenbang/{id}/decisions"]["post"]
	if op["x-permission"] != string(policies.MusrenbangDecide) || op["requestBody"] == nil {
		t.Errorf("the decision operation is documented as %v", op)
	}
}

func TestOpenAPIIsServed(t *testing.T) {
	status, body := do(t, testApp(t), httptestGet("/api/openapi.json"))
	if status != 200 || body["openapi"] != "3.0.3" {
		t.Fatalf("/api/openapi.json: %d", status)
	}
}
