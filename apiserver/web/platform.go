package web

import (
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/tenancy"
)

// Platform is the realm of the national agencies: accounts that belong to no
// region, kept in a database of their own, under the platform policy.
type Platform struct {
	DB       *bun.DB
	Enforcer *casbin.SyncedCachedEnforcer
}

// PlatformScope is the scope national-admin is granted at.
const PlatformScope = "platform"

// PlatformRealm is the platform as the steps see it: a realm with its own
// database and policy and no region, in Jakarta's time.
func PlatformRealm(p *Platform) *step.Region {
	jakarta, _ := time.LoadLocation("Asia/Jakarta")
	return &step.Region{Root: PlatformScope, DB: p.DB, Enforcer: func() (*casbin.SyncedCachedEnforcer, error) { return p.Enforcer, nil }, Location: jakarta}
}

func withPlatform(p *Platform, o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		realm := PlatformRealm(p)
		realm.Now = o.Now
		c.Locals(localRegion, &regionRequest{realm: realm, db: p.DB, base: "/platform", root: PlatformScope, location: realm.Location, enforcer: realm.Enforcer,
			insecure: o.InsecureCookies, throttle: o.Throttle})
		return c.Next()
	}
}

type regionStatus struct {
	Slug             string                          `json:"slug"`
	Code             string                          `json:"code"`
	Name             string                          `json:"name"`
	Pillars          []partnership.Pillar            `json:"pillars"`
	Database         tenancy.State                   `json:"database"`
	PrerequisiteGaps map[partnership.Pillar][]string `json:"prerequisiteGaps"`
	PrerequisitesMet bool                            `json:"prerequisitesMet"`
}

// nationalRegions lists every served region with its database state and the
// prerequisites its regulations leave uncovered.
func nationalRegions(reg *tenancy.Registry) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var out []regionStatus
		for _, t := range reg.All() {
			gaps := t.Region.PrerequisiteGaps()
			out = append(out, regionStatus{
				Slug: t.Region.Slug, Code: t.Region.Code, Name: t.Region.Name, Pillars: t.Region.Pillars,
				Database: t.State(), PrerequisiteGaps: gaps, PrerequisitesMet: len(gaps) == 0,
			})
		}
		return c.JSON(page[regionStatus]{Items: out})
	}
}

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
