-- This migration creates the region's audit log and its head. audit_log.seq is
-- assigned by package audit from the head row, never by the database: a
-- sequence would hand out numbers that a rolled-back transaction then leaves
-- as gaps, and a gap is exactly what Verify reports as a deleted entry.
-- audit_head holds one row, the seq and hash of the newest entry, created at
-- the genesis values (seq 0, hash of 64 zeros); appenders lock it to take
-- turns. The SQL is the same for both dialects.

CREATE TABLE audit_log (
	seq BIGINT PRIMARY KEY CHECK (seq > 0),
	at TIMESTAMP NOT NULL,
	actor TEXT NOT NULL,
	actor_role TEXT NOT NULL DEFAULT '',
	actor_scope TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	object_type TEXT NOT NULL DEFAULT '',
	object_id TEXT NOT NULL DEFAULT '',
	decision TEXT NOT NULL DEFAULT '',
	before_json TEXT,
	after_json TEXT,
	public BOOLEAN NOT NULL DEFAULT FALSE,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);

CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq);

CREATE INDEX audit_log_action ON audit_log (action, seq);

CREATE INDEX audit_log_public ON audit_log (seq) WHERE public;

CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL,
	hash TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
