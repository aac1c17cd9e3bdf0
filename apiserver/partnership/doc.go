// Package partnership is Pilar's domain: the regulations a region runs under,
// its administrative tree and community institutions, and the rules and state
// machines of the two-pillar and four-pillar workflows. It imports no web
// framework, no database library and nothing of Kubernetes; handlers and the
// store call into it, never the other way round.
package partnership
