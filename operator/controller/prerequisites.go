package controller

import (
	"context"
	"fmt"
	"strings"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/operator/api/v1alpha1"
)

// reconcilePrerequisites compares the region's legal basis with what each
// model it runs requires (DESIGN.md, "Prerequisites are checked, not
// assumed") and lists the gaps in PrerequisitesMet. The condition informs
// national agencies; it never holds the region back.
//
// The same conversion tells whether the API server can load the region at
// all: a spec it refuses (areas that do not nest, say) is reported here and
// keeps the region from being served.
func (r *RegionReconciler) reconcilePrerequisites(_ context.Context, rc *reconciliation) {
	const cond = v1alpha1.ConditionPrerequisitesMet
	domain, err := tenancy.FromRegion(rc.region)
	if err != nil {
		rc.specErr = err
		rc.set(cond, false, ReasonInvalidSpec, "the API server cannot load this region: %v", err)
		return
	}
	rc.domain = domain
	gaps := domain.PrerequisiteGaps()
	if msg := describeGaps(domain.Pillars, gaps); msg != "" {
		rc.set(cond, false, ReasonMissingRegulations, "no regulation in force covers %s", msg)
		return
	}
	rc.set(cond, true, ReasonAllRegulationsInForce, "every model the region runs has the regulations it requires")
}

// describeGaps lists the gaps in the order of the region's pillars, e.g.
// "TwoPillar: procurement, technical-guidelines; FourPillar: csr-forum".
func describeGaps(pillars []partnership.Pillar, gaps map[partnership.Pillar][]string) string {
	var parts []string
	for _, p := range pillars {
		if g := gaps[p]; len(g) > 0 {
			parts = append(parts, fmt.Sprintf("%s: %s", p, strings.Join(g, ", ")))
		}
	}
	return strings.Join(parts, "; ")
}
