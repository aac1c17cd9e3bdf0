-- This migration creates local accounts, role grants at scopes, browser
-- sessions and API tokens. Secrets are stored only as hashes: passwords with
-- argon2id, session and API tokens with SHA-256, national ID numbers with a
-- keyed hash.

CREATE TABLE accounts (
	{{id}},
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	nik_hash TEXT UNIQUE,
	created_at TIMESTAMP NOT NULL,
	disabled_at TIMESTAMP
);

CREATE TABLE grants (
	{{id}},
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	role TEXT NOT NULL,
	scope TEXT NOT NULL,
	granted_by BIGINT REFERENCES accounts (id),
	created_at TIMESTAMP NOT NULL,
	UNIQUE (account_id, role, scope)
);

CREATE INDEX grants_account ON grants (account_id);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	created_at TIMESTAMP NOT NULL,
	last_seen TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL
);

CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
	{{id}},
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL,
	last_used TIMESTAMP,
	revoked_at TIMESTAMP
);
