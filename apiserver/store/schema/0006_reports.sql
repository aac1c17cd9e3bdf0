-- This migration creates the realisation reports of the two-pillar workflow
-- and their evidence. A report sent back stays as history with the state
-- "returned", and the institution's resubmission is a new row: a proposal has
-- at most one report that is not returned, which the partial unique index
-- guarantees. Attachments are stored in the database, beside the report they
-- prove, so that a region's data stays in its one database; a file holds at
-- most 2 MiB (partnership.MaxAttachmentSize, spelled out since a migration is
-- written once).

CREATE TABLE reports (
	{{id}},
	proposal_id BIGINT NOT NULL REFERENCES proposals (id),
	institution TEXT NOT NULL,
	ward_code TEXT NOT NULL,
	fiscal_year INTEGER NOT NULL,
	spent BIGINT NOT NULL CHECK (spent >= 0),
	outputs TEXT NOT NULL,
	participants INTEGER NOT NULL CHECK (participants >= 0),
	activity_start TIMESTAMP NOT NULL,
	activity_end TIMESTAMP NOT NULL,
	due_at TIMESTAMP NOT NULL,
	submitted_by BIGINT NOT NULL,
	submitted_at TIMESTAMP NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('submitted', 'verified', 'consolidated', 'evaluated', 'returned')),
	reason TEXT NOT NULL DEFAULT '',
	evaluation TEXT NOT NULL DEFAULT '',
	verified_at TIMESTAMP,
	consolidated_at TIMESTAMP,
	evaluated_at TIMESTAMP,
	version INTEGER NOT NULL DEFAULT 1,
	CHECK (activity_start <= activity_end)
);

CREATE INDEX reports_ward ON reports (ward_code, fiscal_year);

CREATE INDEX reports_institution ON reports (institution, state);

CREATE UNIQUE INDEX reports_current ON reports (proposal_id) WHERE state <> 'returned';

CREATE INDEX reports_proposal ON reports (proposal_id);

CREATE TABLE attachments (
	{{id}},
	report_id BIGINT NOT NULL REFERENCES reports (id),
	name TEXT NOT NULL,
	content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
	size BIGINT NOT NULL CHECK (size > 0 AND size <= 2097152),
	sha256 TEXT NOT NULL,
	data {{blob}} NOT NULL,
	uploaded_at TIMESTAMP NOT NULL
);

CREATE INDEX attachments_report ON attachments (report_id);
