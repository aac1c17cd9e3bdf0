// Package fourpillar is the four-pillar workflow's application layer: each
// step of it — a partner registered, reviewed and decided, a forum meeting
// scheduled, held and closed, a plan submitted, aligned and decided, a CSR
// request submitted and claimed, a programme run with its contributions, an
// idea adopted, a realisation reported, a sanction recommended and issued,
// an evaluation published, an award cycle scored — as one function over
// step.Run, and the reads whose answers depend on who asks (a registration's
// documents, a request's).
//
// Each step takes the region, who acts and the step's input; it loads what
// it acts on in the step's transaction, asks the region's policy at the
// object's scope, keeps the object rules no transport may forget (nobody
// decides on their own registration, a partner acts for its own plans and
// programmes only), lets the domain (partnership) decide, stores and audits.
// It returns domain values and partnership's errors, never a transport's.
package fourpillar
