// Package policies owns Pilar's authorization policy: the Casbin model, the closed
// catalogue of roles and permissions, the national baseline every region starts
// from, the national guardrails no region may exceed, and the parsing, merging and
// checking of each region's overrides. The operator renders a region's set with
// Render and stores its Text in a ConfigMap; the API server loads it with ParseSet
// (or renders it itself in the embedded mode) and builds one enforcer per region
// with NewEnforcer.
//
// # Questions the policy answers
//
// The policy answers one question: may role R perform permission P? Which roles a
// user holds, and at which scope (the region, a kecamatan, a kelurahan/desa or an
// institution), is the API server's business: it finds the roles a user holds at
// a scope covering the object, then asks once per role. So a Casbin request is
// (role, permission), both plain strings, and the matcher compares two strings.
// Nothing is allowed unless a rule allows it, and a deny beats any number of allows.
//
// Roles and permissions form a closed catalogue (Roles, Permissions). A permission
// is a fixed "resource:action" name such as "musrenbang:decide", never a URL
// pattern. A name outside the catalogue is an error wherever it appears. The role
// "public" stands for everyone, signed in or not: the API server gives it to every
// request at region scope, and the baseline grants what anyone may read to it
// alone. The role "national-admin" and the permissions "region:onboard" and
// "national:read" belong to the platform (see Platform) and never to a region.
//
// # Guardrails
//
// For every regional permission, guardrails.csv lists the roles a region may ever
// let hold it, or says that nobody may (for example musrenbang:reopen: a closed
// Musrenbang is immutable). Whatever a region's overrides say, residents, companies
// and universities never decide Musrenbang proposals or approve execution; a
// company never aligns or approves CSR plans, decides on partners, scores awards or
// issues sanctions; and only administrators and supervisors verify the audit log
// or manage grants. Guardrails bound allows only: a region may deny anything.
//
// # Grammar of overrides
//
// A region's overrides are text, kept in the Region's spec.policy.overrides. Each
// line holds at most one rule:
//
//	allow <role> <permission>
//	deny <role> <permission>
//
// Fields are separated by spaces or tabs. A '#' starts a comment that runs to the
// end of the line. Blank lines and lines holding only a comment are ignored.
// Keywords and names are lower case and must match the catalogue exactly. An allow
// grants the permission to the role in this region, within the guardrails; a deny
// takes it away, whatever the baseline says. A pair may appear on one line only:
// repeating it, or both allowing and denying it, is an error. An allow the
// baseline already grants is accepted and changes nothing. For example:
//
//	# Kota Bandung lets the kecamatan forums of the LPM read participation.
//	allow forum-lpm participation:read
//	deny institution-rw activity:cancel   # the lurah cancels
//
// Errors name the line, its text and the reason, one error per faulty line:
//
//	policies: override line 3 "allow resident musrenbang:decide": role resident may not hold musrenbang:decide (national guardrail allows: ward-office, kecamatan-office)
//
// # Rendered sets
//
// Render merges the baseline and a region's overrides into a Set. Its Text is
// Casbin policy CSV, one "p, <role>, <permission>, allow|deny" a line, in a
// canonical order under the comment headers "# baseline" and "# overrides";
// Casbin's file adapter loads it unchanged under ModelText. Its Hash (SHA-256 of the
// text) changes exactly when the rules change, not when comments, blank lines or
// the order of the overrides do.
//
// NewEnforcer does not load the text as p rules, which Casbin would read one by one
// on every request: it loads the same rules as role links that it looks up in a map
// (see enforcer.conf), and decides exactly as the text does under ModelText.
package policies
