-- This migration creates the two-pillar workflow's tables: aspirations,
-- proposals, Musrenbang with their decisions, and allocations. Money is
-- BIGINT rupiah. Rows that change carry a version, so that a write based on
-- a stale read is refused instead of silently winning.

CREATE TABLE proposals (
	{{id}},
	institution TEXT NOT NULL REFERENCES institutions (key),
	ward_code TEXT NOT NULL REFERENCES wards (code),
	fiscal_year INTEGER NOT NULL,
	activity TEXT NOT NULL,
	title TEXT NOT NULL,
	description TEXT NOT NULL,
	cost BIGINT NOT NULL CHECK (cost > 0),
	beneficiaries INTEGER NOT NULL CHECK (beneficiaries >= 0),
	location TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('empowerment', 'infrastructure')),
	state TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	agency TEXT NOT NULL DEFAULT '',
	musrenbang_id BIGINT,
	created_by BIGINT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX proposals_ward ON proposals (ward_code, fiscal_year, state);

CREATE INDEX proposals_institution ON proposals (institution, fiscal_year);

CREATE TABLE aspirations (
	{{id}},
	institution TEXT NOT NULL REFERENCES institutions (key),
	ward_code TEXT NOT NULL REFERENCES wards (code),
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	state TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	proposal_id BIGINT REFERENCES proposals (id),
	submitted_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL
);

CREATE INDEX aspirations_account ON aspirations (account_id);

CREATE INDEX aspirations_institution ON aspirations (institution, state);

CREATE TABLE musrenbang (
	{{id}},
	level TEXT NOT NULL CHECK (level IN ('ward', 'kecamatan')),
	area TEXT NOT NULL,
	fiscal_year INTEGER NOT NULL,
	scheduled_at TIMESTAMP NOT NULL,
	place TEXT NOT NULL,
	state TEXT NOT NULL,
	attendance TEXT NOT NULL DEFAULT '{}',
	minutes TEXT NOT NULL DEFAULT '',
	closed_at TIMESTAMP,
	version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX musrenbang_area ON musrenbang (area, fiscal_year);

CREATE TABLE musrenbang_decisions (
	{{id}},
	musrenbang_id BIGINT NOT NULL REFERENCES musrenbang (id),
	proposal_id BIGINT NOT NULL REFERENCES proposals (id),
	decision TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	agency TEXT NOT NULL DEFAULT '',
	decided_by BIGINT NOT NULL,
	decided_at TIMESTAMP NOT NULL,
	UNIQUE (musrenbang_id, proposal_id)
);

CREATE TABLE allocations (
	institution TEXT NOT NULL REFERENCES institutions (key),
	fiscal_year INTEGER NOT NULL,
	amount BIGINT NOT NULL CHECK (amount >= 0),
	committed BIGINT NOT NULL DEFAULT 0 CHECK (committed >= 0 AND committed <= amount),
	PRIMARY KEY (institution, fiscal_year)
);
