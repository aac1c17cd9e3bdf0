// Package postgres provisions a region's login role and database on a
// PostgreSQL server, as the server's administrator.
//
// Every operation reads the catalogue first and writes only what differs, so
// that a second call on a server already in the wanted state issues no writing
// statement; a Counter records the statements issued, which is how the tests
// (and the operator's idempotency check) see that.
//
// Identifiers are quoted with pgx.Identifier.Sanitize, never with fmt. A
// password never travels to the server in clear: the role's SCRAM-SHA-256
// verifier is computed here and sent instead (as psql's \password does), so it
// cannot end up in the server's statement log; it is never logged here either.
//
// Objects the package creates carry a marker, a comment naming the region they
// belong to ("pilar.id/region=<name>"). A role or database that exists without
// the region's marker is not the package's to change or drop: Ensure and Drop
// refuse it with an error that unwraps to ErrNotManaged. This is what stops a
// Region from taking over, revoking access to or dropping a database some other
// application (or another region) owns.
package postgres
