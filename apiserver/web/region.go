package web

import (
	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/i18n"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
)

type regionSummary struct {
	Slug         string   `json:"slug"`
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Pillars      []string `json:"pillars"`
	Languages    []string `json:"languages"`
	Kecamatan    int64    `json:"kecamatan"`
	Wards        int64    `json:"wards"`
	Institutions int64    `json:"institutions"`
	Population   int64    `json:"population"`
	LegalBasis   []string `json:"legalBasis"`
}

func summarise(c *fiber.Ctx) (regionSummary, error) {
	t, db := tenantOf(c)
	r := t.Region
	counts, err := store.CountAreas(c.UserContext(), db)
	if err != nil {
		return regionSummary{}, err
	}
	s := regionSummary{
		Slug: r.Slug, Code: r.Code, Name: r.Name, Kind: r.Kind, Languages: r.Languages,
		Kecamatan: counts.Kecamatan, Wards: counts.Wards, Institutions: counts.Institutions,
		Population: r.Population(),
	}
	for _, p := range r.Pillars {
		s.Pillars = append(s.Pillars, string(p))
	}
	for _, g := range r.LegalBasis {
		s.LegalBasis = append(s.LegalBasis, g.Cite()+" "+g.Title)
	}
	return s, nil
}

// regionJSON describes the region: its regulations in brief and its stored tree.
func regionJSON(c *fiber.Ctx) error {
	return answer(c, fiber.StatusOK, same[regionSummary])(summarise(c))
}

// platformIndex lists the served regions, for the embedded mode.
func platformIndex(reg *tenancy.Registry) fiber.Handler {
	return func(c *fiber.Ctx) error {
		regions := each(reg.All(), func(t *tenancy.Tenant) *partnership.Region { return t.Region })
		lang := i18n.Negotiate(c.Query("lang"), "", c.Get(fiber.HeaderAcceptLanguage), []string{i18n.Default, "en"})
		v := &view{L: catalogs.For(lang, nil), Region: &partnership.Region{Name: "Pilar"}, Title: "Pilar", Form: &form{}, Data: regions}
		if len(regions) > 0 {
			v.StaticBase = "/r/" + regions[0].Slug
		}
		c.Type("html", "utf-8")
		return c.Render("templates/index", v)
	}
}
