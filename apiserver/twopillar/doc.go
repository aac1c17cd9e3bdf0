// Package twopillar is the two-pillar workflow's application layer: each
// step of it — a resident's aspiration sent and answered, an institution's
// proposal made, edited, approved for execution, re-costed or cancelled, a
// Musrenbang scheduled, attended, deciding and closed, a realisation report
// submitted, verified, consolidated, evaluated or sent back, a ward's
// participation phase assessed — as one function over step.Run, and the
// reads that more than one transport shows (a Musrenbang with its agenda and
// decisions, an institution's allocation, an area's participation).
//
// Each step takes the region, who acts and the step's input; it loads what
// it acts on in the step's transaction, asks the region's policy at the
// object's scope (the institution of an aspiration, proposal or report, the
// area of a Musrenbang, the ward assessed), lets the domain (partnership)
// decide, stores and audits. Funding and its changes commit and release the
// institution's allocation in the same transaction (store.Commit), so that
// no interleaving of decisions overspends it. Steps return domain values
// and partnership's errors, never a transport's.
package twopillar
