-- This migration creates the history of the facilitators' assessments
-- of each ward's participation phase: one row per assessment, never updated,
-- the latest per ward and fiscal year being the one that counts. The phases
-- are spelled out here rather than read from the domain, since a migration
-- is written once.

CREATE TABLE participation_phases (
	{{id}},
	ward_code TEXT NOT NULL REFERENCES wards (code),
	fiscal_year INTEGER NOT NULL,
	phase TEXT NOT NULL CHECK (phase IN ('ignoring', 'informing', 'consulting', 'collaborating', 'initiating')),
	note TEXT NOT NULL,
	assessed_by BIGINT NOT NULL REFERENCES accounts (id),
	assessed_at TIMESTAMP NOT NULL
);

CREATE INDEX participation_phases_ward ON participation_phases (ward_code, fiscal_year);
