// Package e2e holds end-to-end tests: Pilar's programs built and run as a
// person or a cluster would run them, and used over HTTP.
package e2e
