package web

import (
	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/tenancy"
)

// healthz answers as long as the process serves requests.
func healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz reports each tenant's database; it fails while any database is in error.
func readyz(reg *tenancy.Registry) fiber.Handler {
	return func(c *fiber.Ctx) error {
		states := map[string]tenancy.State{}
		ready := true
		for _, t := range reg.All() {
			s := t.State()
			states[t.Region.Slug] = s
			ready = ready && s.Database != "error"
		}
		status := "ready"
		if !ready {
			status = "degraded"
			c.Status(fiber.StatusServiceUnavailable)
		}
		return c.JSON(fiber.Map{"status": status, "tenants": states})
	}
}
