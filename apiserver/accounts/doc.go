// Package accounts is the application layer of who may act in a region (or
// on the platform): residents registering, signing in and out, the sessions
// and API tokens requests are authenticated by, role grants at scopes and the
// explanation of any decision, the first administrator an operator creates
// with a command, and the embedded mode's demo sign-in.
//
// The state changes of people and commands are steps (step.Run): taken under
// a decision of the realm's policy and audited. Signing in and the
// authentication of each request come before any decision — they establish
// who asks — so they are not steps: they are throttled, never audited, and
// write only sessions and the last use of tokens.
package accounts
