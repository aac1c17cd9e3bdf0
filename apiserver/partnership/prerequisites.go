package partnership

// Prerequisites are what the study requires a region to have regulated before
// it replicates a model (DESIGN.md, "Prerequisites are checked, not assumed").
var prerequisites = map[Pillar][]string{
	TwoPillar:  {"community-institutions", "procurement", "partnership-model", "technical-guidelines"},
	FourPillar: {"csr-obligation", "third-party-contributions", "csr-forum"},
}

// PrerequisiteGaps lists, for each model the region runs, the prerequisites
// none of its regulations in force covers, in the study's order. A region
// with no gaps has every regulation the study asks for.
func (r *Region) PrerequisiteGaps() map[Pillar][]string {
	covered := map[string]bool{}
	for _, g := range r.LegalBasis {
		for _, c := range g.Covers {
			covered[c] = true
		}
	}
	gaps := map[Pillar][]string{}
	for _, p := range r.Pillars {
		for _, need := range prerequisites[p] {
			if !covered[need] {
				gaps[p] = append(gaps[p], need)
			}
		}
	}
	return gaps
}
