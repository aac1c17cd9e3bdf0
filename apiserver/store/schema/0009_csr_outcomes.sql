-- This migration creates what comes of the four-pillar workflow:
-- partners' realisation reports (and figures imported from before the
-- platform), the obligations flagged overdue, sanctions, award scores and
-- the forum's published quarterly evaluations. A realisation's evidence is
-- kept in the documents table of the four-pillar workflow, owned by
-- "realisation". JSON (award scores and adjustments, evaluation snapshots)
-- is text, so that a snapshot reads back byte for byte as it was published.
-- An amount is at most Rp 1 trillion (partnership.MaxAmount, spelled out
-- since a migration is written once).

CREATE TABLE csr_realisations (
	{{id}},
	partner_id BIGINT NOT NULL REFERENCES partners (id),
	programme_id BIGINT REFERENCES programmes (id),
	fiscal_year INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 9999),
	area TEXT NOT NULL,
	ward_code TEXT REFERENCES wards (code),
	activity_start TIMESTAMP NOT NULL,
	activity_end TIMESTAMP NOT NULL,
	due_at TIMESTAMP NOT NULL,
	submitted_at TIMESTAMP NOT NULL,
	submitted_by BIGINT REFERENCES accounts (id),
	amount BIGINT NOT NULL CHECK (amount >= 0 AND amount <= 1000000000000),
	source_of_funds TEXT NOT NULL,
	outputs TEXT NOT NULL,
	targets_reached TEXT NOT NULL,
	late BOOLEAN NOT NULL DEFAULT FALSE,
	historical BOOLEAN NOT NULL DEFAULT FALSE,
	CHECK (activity_start <= activity_end),
	CHECK (historical OR programme_id IS NOT NULL)
);

CREATE INDEX csr_realisations_year ON csr_realisations (fiscal_year, area);

CREATE INDEX csr_realisations_partner ON csr_realisations (partner_id, fiscal_year);

CREATE INDEX csr_realisations_programme ON csr_realisations (programme_id);

CREATE TABLE csr_sanctions (
	{{id}},
	partner_id BIGINT NOT NULL REFERENCES partners (id),
	step TEXT NOT NULL,
	reason TEXT NOT NULL,
	legal_basis TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL CHECK (state IN ('recommended', 'issued', 'lifted', 'dismissed')),
	recommended_by TEXT NOT NULL,
	recommended_at TIMESTAMP NOT NULL,
	issued_at TIMESTAMP,
	issued_by BIGINT REFERENCES accounts (id),
	notified_at TIMESTAMP,
	lifted_at TIMESTAMP,
	dismissed_at TIMESTAMP,
	resolution TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	CHECK (state IN ('recommended', 'dismissed') OR (legal_basis <> '' AND issued_at IS NOT NULL AND notified_at IS NOT NULL))
);

CREATE UNIQUE INDEX csr_sanctions_open ON csr_sanctions (partner_id) WHERE state = 'recommended';

CREATE INDEX csr_sanctions_partner ON csr_sanctions (partner_id, state);

CREATE TABLE csr_overdue (
	{{id}},
	kind TEXT NOT NULL CHECK (kind IN ('realisation', 'plan')),
	object_id BIGINT NOT NULL,
	fiscal_year INTEGER NOT NULL,
	partner_id BIGINT NOT NULL REFERENCES partners (id),
	due_at TIMESTAMP NOT NULL,
	flagged_at TIMESTAMP NOT NULL,
	resolved_at TIMESTAMP,
	sanction_id BIGINT REFERENCES csr_sanctions (id),
	UNIQUE (kind, object_id, fiscal_year)
);

CREATE INDEX csr_overdue_partner ON csr_overdue (partner_id, resolved_at);

CREATE TABLE csr_awards (
	{{id}},
	cycle INTEGER NOT NULL,
	partner_id BIGINT NOT NULL REFERENCES partners (id),
	scores TEXT NOT NULL,
	total INTEGER NOT NULL CHECK (total BETWEEN 0 AND 10000),
	adjustments TEXT NOT NULL DEFAULT '[]',
	adjusted INTEGER NOT NULL CHECK (adjusted BETWEEN 0 AND 10000),
	state TEXT NOT NULL CHECK (state IN ('scored', 'published')),
	scored_at TIMESTAMP NOT NULL,
	published_at TIMESTAMP,
	version INTEGER NOT NULL DEFAULT 1,
	UNIQUE (cycle, partner_id)
);

CREATE TABLE csr_evaluations (
	{{id}},
	fiscal_year INTEGER NOT NULL,
	quarter INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
	snapshot TEXT NOT NULL,
	published_by BIGINT NOT NULL REFERENCES accounts (id),
	published_at TIMESTAMP NOT NULL,
	UNIQUE (fiscal_year, quarter)
);
