package web

import (
	_ "embed"
	"slices"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/openapi"
	"pilar.id/pilar/policies"
)

// The OpenAPI 3 document of the API is generated (by package openapi) from
// the routes of routes.go and checked in as openapi.json, which the server
// serves at /api/openapi.json. A test fails when a route of the application
// is not documented, when a documented one is not served, and when
// openapi.json is not what the routes generate (run the web tests with
// -update to rewrite it).

type errorBody = apiError

//go:embed openapi.json
var openAPIJSON []byte

// operations document every route of routes.go: first those it registers
// itself, then the region's routes, their paths whole.
var operations = append([]route{
	{Method: "GET", Path: "/healthz", Summary: "Liveness: the process serves requests.", Response: map[string]string{}, Status: 200, Tag: "platform"},
	{Method: "GET", Path: "/readyz", Summary: "Readiness, with each region's database state.", Response: map[string]any{}, Status: 200, Tag: "platform"},
	{Method: "GET", Path: "/", Summary: "The embedded mode's list of regions (HTML).", Status: 200, Tag: "platform"},
	{Method: "GET", Path: "/api/openapi.json", Summary: "This document.", Status: 200, Tag: "platform"},
	{Method: "POST", Path: "/platform/api/session", Summary: "Sign a national admin in.", Request: credentials{}, Response: me{}, Status: 201, Tag: "platform"},
	{Method: "DELETE", Path: "/platform/api/session", Summary: "Sign out.", Status: 204, Tag: "platform"},
	{Method: "GET", Path: "/platform/api/me", Summary: "The signed-in national admin.", SignedIn: true, Response: me{}, Status: 200, Tag: "platform"},
	{Method: "GET", Path: "/platform/api/regions", Summary: "Every region with its database state and prerequisite gaps.", Permission: policies.NationalRead, Response: page[regionStatus]{}, Status: 200, Tag: "platform"},
	{Method: "GET", Path: "/platform/api/dashboard", Summary: "The national aggregate of the regions' public CSR dashboards for ?year=: per-area sums, each region's totals, and distinct partners as a sum of the regions' counts (see note).", Permission: policies.NationalRead, Response: nationalDashboardJSON{}, Status: 200, Tag: "platform"},
	{Method: "POST", Path: "/r/:region/api/session", Summary: "Sign in; sets the session cookie and returns its CSRF token.", Request: credentials{}, Response: me{}, Status: 201, Tag: "accounts"},
}, each(regionRoutes, func(rt route) route {
	rt.Path = "/r/:region" + rt.Path
	return rt
})...)

// demoOperations document the routes of the embedded mode's demo sign-in,
// served only with Options.Demo: apart from operations, which must match the
// routes every mode serves.
var demoOperations = []route{
	{Method: "GET", Path: "/r/:region/demo", Summary: "The embedded mode's demo roles (HTML); not served in the cluster mode.", Status: 200, Tag: "pages"},
	{Method: "POST", Path: "/r/:region/demo", Summary: "Sign in as the demo account of a role, made on first use (embedded mode only).", Status: 200, Tag: "pages"},
}

// openAPIDocument generates the document from the operations.
func openAPIDocument() ([]byte, error) {
	spec := openapi.Spec{
		Title: "Pilar", Version: "v1alpha1",
		Description: "Each region's two-pillar and four-pillar workflows, under the region's own policy. Every route names the permission it needs (x-permission), checked at the scope of the object it acts on.",
		Error:       errorBody{},
		Security: map[string]any{
			"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie, "description": "Browser session; state changes also need the X-CSRF-Token header."},
			"token":   map[string]any{"type": "http", "scheme": "bearer", "description": "An API token (pilar_...)."},
		},
	}
	for _, op := range append(slices.Clone(operations), demoOperations...) {
		spec.Operations = append(spec.Operations, openapi.Operation{Method: op.Method, Path: op.Path, Summary: op.Summary, Permission: string(op.Permission),
			SignedIn: op.SignedIn, Request: op.Request, Response: op.Response, Status: op.Status, Tag: op.Tag})
	}
	return spec.Document()
}

// serveOpenAPI serves the checked-in document.
func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openAPIJSON)
}
