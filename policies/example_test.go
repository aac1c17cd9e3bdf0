package policies_test

import (
	"fmt"
	"log"

	"pilar.id/pilar/policies"
)

// A region's overrides are rendered into a set, which an enforcer then answers
// questions about, one role at a time.
func Example() {
	set, err := policies.Render(`
# Kota Bandung lets the kecamatan forums of the LPM read participation figures.
allow forum-lpm participation:read
deny institution-rw activity:cancel   # the lurah cancels
`)
	if err != nil {
		log.Fatal(err)
	}
	e, err := policies.NewEnforcer(set)
	if err != nil {
		log.Fatal(err)
	}
	for _, q := range []struct {
		role policies.Role
		perm policies.Permission
	}{
		{policies.ForumLPM, policies.ParticipationRead},
		{policies.InstitutionRW, policies.ActivityCancel},
		{policies.Resident, policies.MusrenbangDecide},
	} {
		d, err := set.Decide(e, q.role, q.perm)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %s: %v\n", q.role, q.perm, d)
	}
	// Output:
	// forum-lpm participation:read: allowed by allow forum-lpm participation:read (override line 3)
	// institution-rw activity:cancel: denied by deny institution-rw activity:cancel (override line 4)
	// resident musrenbang:decide: denied by default: no rule allows it
}

// An override that exceeds the national guardrails is refused, line by line.
func ExampleRender_guardrails() {
	_, err := policies.Render("allow forum-lpm participation:read\nallow resident musrenbang:decide\n")
	fmt.Println(err)
	// Output:
	// policies: override line 2 "allow resident musrenbang:decide": role resident may not hold musrenbang:decide (national guardrail allows: ward-office, kecamatan-office)
}
