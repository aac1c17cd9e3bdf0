// Package authz decides who may do what in a region. It owns the region's local
// accounts (passwords hashed with argon2id), the roles granted to them at scopes
// of the region's tree, browser sessions with their CSRF tokens, API tokens for
// machine clients, login throttling, and the decision itself: a request is
// allowed when the role "public", or a role the account holds at a scope
// covering the object, is allowed the permission by the region's policy set
// (package policies). Everything else is denied.
//
// Grants are read from the region's database on every request, never cached,
// so a revoked grant stops working at once on every replica. The policy
// enforcer's decision cache holds only (role, permission) answers, which no
// grant change can make stale; it is rebuilt when the policy set changes.
package authz
