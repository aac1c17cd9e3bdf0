package step

import (
	"strconv"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/policies"
)

// Actor is who takes a step: a person, signed in or not, or a named system
// actor.
type Actor struct {
	// Principal is the signed-in account and its grants; empty for an
	// anonymous visitor and for a system actor.
	Principal authz.Principal

	system string          // the system actor's name; "" for a person
	held   *authz.Decision // a decision the transport already made for this request
}

// Person is someone using the API or the portal: the principal the request
// was authenticated as, empty for an anonymous visitor.
func Person(p authz.Principal) Actor { return Actor{Principal: p} }

// Schedule is the name of the server's own schedule as a system actor; the
// audit log has always called it "system".
const Schedule = "system"

// System is a named system actor, e.g. Schedule or "command:region-admin":
// it holds the role system at the region's scope, so the region's policy
// decides what it may do, and the audit log names it as the actor.
func System(name string) Actor { return Actor{system: name} }

// Deciding is the actor carrying a decision its transport has made: Require
// reuses it for the same permission at any scope the decision covers.
func (a Actor) Deciding(d authz.Decision) Actor {
	if d.Allowed {
		a.held = &d
	}
	return a
}

// AccountID is the acting account's id; 0 for anonymous and system actors.
func (a Actor) AccountID() int64 {
	if acc := a.Principal.Account; acc != nil {
		return acc.ID
	}
	return 0
}

// Anonymous reports whether nobody is signed in: neither a person with an
// account nor a system actor.
func (a Actor) Anonymous() bool { return a.system == "" && a.Principal.Anonymous() }

// SystemName is the name of a system actor, "" for a person.
func (a Actor) SystemName() string { return a.system }

// Is reports whether the actor is the account with this id.
func (a Actor) Is(account int64) bool { return account != 0 && a.AccountID() == account }

// name is how the audit log names the actor: the account id, the system
// actor's name, or "anonymous".
func (a Actor) name() string {
	switch {
	case a.system != "":
		return a.system
	case a.Principal.Account != nil:
		return strconv.FormatInt(a.Principal.Account.ID, 10)
	}
	return "anonymous"
}

// principal is what the policy is asked about: a system actor is the role
// system held at the whole region (or platform).
func (a Actor) principal(root string) authz.Principal {
	if a.system != "" {
		return authz.Principal{Grants: []authz.Grant{{Role: policies.System, Scope: root}}}
	}
	return a.Principal
}
