-- This migration creates internal supervisors' findings and residents'
-- complaints. An anonymous complaint has no account and a tracking code,
-- stored only as its SHA-256 hash; a complaint with an account has none.
-- Times are UTC. Both tables carry a version, so that a move based on a stale
-- read is refused instead of silently winning.

CREATE TABLE findings (
	{{id}},
	scope TEXT NOT NULL,
	object_type TEXT NOT NULL DEFAULT '',
	object_id TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL,
	detail TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('open', 'responded', 'closed')),
	recorded_by BIGINT NOT NULL REFERENCES accounts (id),
	recorded_at TIMESTAMP NOT NULL,
	due_at TIMESTAMP NOT NULL,
	response TEXT NOT NULL DEFAULT '',
	responded_by BIGINT REFERENCES accounts (id),
	responded_at TIMESTAMP,
	reopen_reason TEXT NOT NULL DEFAULT '',
	closed_at TIMESTAMP,
	updated_at TIMESTAMP NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX findings_scope ON findings (scope);

CREATE INDEX findings_due ON findings (state, due_at);

CREATE TABLE complaints (
	{{id}},
	scope TEXT NOT NULL,
	ward_code TEXT NOT NULL REFERENCES wards (code),
	account_id BIGINT REFERENCES accounts (id),
	tracking_hash TEXT UNIQUE,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	public BOOLEAN NOT NULL DEFAULT FALSE,
	state TEXT NOT NULL CHECK (state IN ('filed', 'received', 'investigating', 'resolved', 'escalated')),
	filed_at TIMESTAMP NOT NULL,
	due_at TIMESTAMP NOT NULL,
	received_at TIMESTAMP,
	escalated_at TIMESTAMP,
	escalation_reason TEXT NOT NULL DEFAULT '',
	ombudsman BOOLEAN NOT NULL DEFAULT FALSE,
	resolved_at TIMESTAMP,
	resolution TEXT NOT NULL DEFAULT '',
	updated_at TIMESTAMP NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	CHECK ((account_id IS NULL) = (tracking_hash IS NOT NULL))
);

CREATE INDEX complaints_scope ON complaints (scope);

CREATE INDEX complaints_account ON complaints (account_id);

CREATE INDEX complaints_due ON complaints (state, due_at);
