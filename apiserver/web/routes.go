package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
)

// routes declares every route of the API server.
func routes(app *fiber.App, o Options) {
	app.Use(recover.New())
	app.Use(requestid.New())
	app.Use(logRequests(o.Log))
	if o.BaseDomain != "" {
		app.Use(hostRegions(o.BaseDomain))
	}

	// Platform: no region, no authorization.
	app.Get("/healthz", healthz)
	app.Get("/readyz", readyz(o.Registry))
	if o.PathRegions {
		app.Get("/", platformIndex(o.Registry))
	}

	// One region, resolved from the path (or from the host, rewritten to the path).
	r := app.Group("/r/:region", withTenant(o.Registry))
	r.Get("/", regionHome)
	r.Get("/api/region", regionJSON)
}
