package web

import (
	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/accounts"
	"pilar.id/pilar/apiserver/audit"
)

// auditEntries pages through the audit log; public selects the entries
// everyone may read (published decisions), the rest is for auditors.
func auditEntries(public bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		after, limit, err := pageParams(c)
		if err != nil {
			return err
		}
		es, err := audit.List(c.UserContext(), regionOf(c).db, audit.Filter{
			PublicOnly: public, AfterSeq: after, Limit: limit,
			Action: c.Query("action"), ObjectType: c.Query("objectType"), ObjectID: c.Query("objectId"),
		})
		if err != nil {
			return err
		}
		p := page[audit.Entry]{Items: es}
		if len(es) == limit {
			p.Next = &es[len(es)-1].Seq
		}
		return c.JSON(p)
	}
}

// verifyAudit walks the whole chain and names the first broken entry
// (accounts.VerifyAudit).
func verifyAudit(c *fiber.Ctx) error {
	r, err := accounts.VerifyAudit(c.UserContext(), realmOf(c), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(r)
}
