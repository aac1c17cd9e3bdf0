// Package step is how anything changes in a region.
//
// A workflow step — an aspiration sent, a Musrenbang decision, a partner
// approved, a request expired by the schedule — is one function of a
// workflow package (accounts, twopillar, supervision, fourpillar). That
// function calls Run — most through Create or Change, the two shapes most
// steps take, over the Kind of stored object they act on — which gives it
// one transaction (a Tx) in which it loads what it acts on, asks the
// region's policy whether the actor may act at the object's scope
// (Tx.Require), applies the domain's rules, stores the result and records
// what changed (Tx.Audit). Run appends the audit entries as the
// transaction's last statements, commits, and only then hands the change's
// events to the region's Listener. A step that asked the policy for no
// decision is refused and rolled back: nothing changes in a region unless
// the region's policy allowed it to the one who acts.
//
// Who acts is an Actor: a person — an account with its grants, or an
// anonymous visitor — or a named system actor (the server's schedule, an
// administrative command, the embedded mode's demo sign-in), which holds the
// role system at the whole region's scope and is decided on by the same
// policy. A transport that has already decided (a route of routes.go) hands
// its decision along with the actor, and Require reuses it when it covers
// the object, so that authorizing twice costs nothing.
//
// The transports — the JSON API and the portal's pages (web), the
// administrative commands (package main) and the scheduler (schedule) —
// parse, call a step and show its result; none opens a transaction or
// writes through the store itself.
package step
