-- This migration creates the four-pillar workflow's tables: partners and
-- the documents they attach, the CSR forum's meetings and decisions, CSR
-- plans and their activities, CSR requests, programmes with their
-- contributions ledger, and innovation ideas. Money is BIGINT rupiah; lists
-- (a partner's areas and kecamatan, a meeting's attendance) are JSON text;
-- rows that change carry a version.

CREATE TABLE forum_meetings (
	{{id}},
	year INTEGER NOT NULL,
	quarter INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
	scheduled_at TIMESTAMP NOT NULL,
	place TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('scheduled', 'held', 'closed')),
	attendance TEXT NOT NULL DEFAULT '{}',
	minutes TEXT NOT NULL DEFAULT '',
	closed_at TIMESTAMP,
	version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX forum_meetings_quarter ON forum_meetings (year, quarter);

CREATE TABLE partners (
	{{id}},
	kind TEXT NOT NULL CHECK (kind IN ('company', 'state-enterprise', 'regional-enterprise', 'university')),
	name TEXT NOT NULL,
	account_id BIGINT REFERENCES accounts (id),
	areas TEXT NOT NULL DEFAULT '[]',
	kecamatan TEXT NOT NULL DEFAULT '[]',
	state TEXT NOT NULL CHECK (state IN ('registered', 'reviewed', 'approved', 'rejected')),
	registered_at TIMESTAMP NOT NULL,
	approved_at TIMESTAMP,
	review TEXT,
	meeting_id BIGINT REFERENCES forum_meetings (id),
	reason TEXT NOT NULL DEFAULT '',
	decided_at TIMESTAMP,
	version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX partners_state ON partners (state);

CREATE INDEX partners_account ON partners (account_id);

CREATE TABLE forum_decisions (
	{{id}},
	meeting_id BIGINT NOT NULL REFERENCES forum_meetings (id),
	subject_type TEXT NOT NULL CHECK (subject_type IN ('partner', 'plan', 'idea')),
	subject_id BIGINT NOT NULL,
	decision TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	decided_by BIGINT NOT NULL,
	decided_at TIMESTAMP NOT NULL
);

CREATE INDEX forum_decisions_meeting ON forum_decisions (meeting_id);

CREATE INDEX forum_decisions_subject ON forum_decisions (subject_type, subject_id);

CREATE TABLE csr_plans (
	{{id}},
	partner_id BIGINT NOT NULL REFERENCES partners (id),
	fiscal_year INTEGER NOT NULL,
	board_approved_at TIMESTAMP NOT NULL,
	submitted_at TIMESTAMP NOT NULL,
	due_at TIMESTAMP NOT NULL,
	late BOOLEAN NOT NULL DEFAULT FALSE,
	state TEXT NOT NULL CHECK (state IN ('submitted', 'aligned', 'approved', 'revision')),
	reason TEXT NOT NULL DEFAULT '',
	meeting_id BIGINT REFERENCES forum_meetings (id),
	decided_at TIMESTAMP,
	version INTEGER NOT NULL DEFAULT 1,
	UNIQUE (partner_id, fiscal_year)
);

CREATE TABLE csr_plan_activities (
	{{id}},
	plan_id BIGINT NOT NULL REFERENCES csr_plans (id),
	position INTEGER NOT NULL,
	title TEXT NOT NULL,
	location TEXT NOT NULL,
	area TEXT NOT NULL,
	target TEXT NOT NULL,
	goal TEXT NOT NULL,
	financing BIGINT NOT NULL CHECK (financing > 0),
	aligned_area TEXT NOT NULL DEFAULT '',
	aligned_target TEXT NOT NULL DEFAULT '',
	alignment TEXT NOT NULL DEFAULT '' CHECK (alignment IN ('', 'aligned', 'partial', 'not-aligned'))
);

CREATE INDEX csr_plan_activities_plan ON csr_plan_activities (plan_id, position);

CREATE TABLE ideas (
	{{id}},
	pillar TEXT NOT NULL CHECK (pillar IN ('government', 'company', 'university', 'community')),
	account_id BIGINT NOT NULL REFERENCES accounts (id),
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('posted', 'adopted', 'declined')),
	adopted_into_type TEXT CHECK (adopted_into_type IN ('programme', 'request')),
	adopted_into_id BIGINT,
	reason TEXT NOT NULL DEFAULT '',
	meeting_id BIGINT REFERENCES forum_meetings (id),
	posted_at TIMESTAMP NOT NULL,
	decided_at TIMESTAMP,
	version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE csr_requests (
	{{id}},
	source TEXT NOT NULL CHECK (source IN ('resident', 'community', 'musrenbang', 'idea')),
	proposal_id BIGINT UNIQUE REFERENCES proposals (id),
	account_id BIGINT REFERENCES accounts (id),
	area TEXT NOT NULL,
	ward_code TEXT NOT NULL REFERENCES wards (code),
	amount BIGINT NOT NULL CHECK (amount > 0),
	title TEXT NOT NULL,
	description TEXT NOT NULL,
	preferred_partner_id BIGINT REFERENCES partners (id),
	state TEXT NOT NULL CHECK (state IN ('open', 'claimed', 'programmed', 'expired', 'withdrawn')),
	claimed_by BIGINT REFERENCES partners (id),
	claimed_at TIMESTAMP,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	CHECK (state NOT IN ('claimed', 'programmed') OR claimed_by IS NOT NULL)
);

CREATE INDEX csr_requests_open ON csr_requests (state, expires_at);

CREATE INDEX csr_requests_ward ON csr_requests (ward_code);

CREATE TABLE programmes (
	{{id}},
	source TEXT NOT NULL CHECK (source IN ('plan', 'request', 'idea')),
	partner_id BIGINT REFERENCES partners (id),
	area TEXT NOT NULL,
	ward_code TEXT REFERENCES wards (code),
	title TEXT NOT NULL,
	sector_agency TEXT NOT NULL,
	fiscal_year INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('active', 'completed', 'cancelled')),
	beneficiaries INTEGER NOT NULL DEFAULT 0 CHECK (beneficiaries >= 0),
	plan_activity_id BIGINT UNIQUE REFERENCES csr_plan_activities (id),
	request_id BIGINT UNIQUE REFERENCES csr_requests (id),
	idea_id BIGINT UNIQUE REFERENCES ideas (id),
	created_at TIMESTAMP NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX programmes_partner ON programmes (partner_id, fiscal_year);

CREATE INDEX programmes_area ON programmes (fiscal_year, area);

CREATE TABLE contributions (
	{{id}},
	programme_id BIGINT NOT NULL REFERENCES programmes (id),
	pillar TEXT NOT NULL CHECK (pillar IN ('government', 'company', 'university', 'community')),
	kind TEXT NOT NULL CHECK (kind IN ('funds', 'staff', 'facilities', 'research', 'labour', 'in-kind')),
	amount BIGINT NOT NULL CHECK (amount >= 0),
	quantity INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
	unit TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL,
	partner_id BIGINT REFERENCES partners (id),
	account_id BIGINT REFERENCES accounts (id),
	recorded_at TIMESTAMP NOT NULL,
	CHECK (kind <> 'funds' OR amount > 0)
);

CREATE INDEX contributions_programme ON contributions (programme_id);

CREATE TABLE documents (
	{{id}},
	owner_type TEXT NOT NULL,
	owner_id BIGINT NOT NULL,
	purpose TEXT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
	size BIGINT NOT NULL CHECK (size > 0 AND size <= 2097152),
	sha256 TEXT NOT NULL,
	data {{blob}} NOT NULL,
	created_at TIMESTAMP NOT NULL
);

CREATE INDEX documents_owner ON documents (owner_type, owner_id);
