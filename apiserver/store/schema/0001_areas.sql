-- This migration creates the region's administrative tree (kecamatan and
-- their wards) and its institutions, as the regulations name them (see
-- SyncAreas), and the store's settings, such as the hash of the tree synced.

CREATE TABLE kecamatan (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL
);

CREATE TABLE wards (
	code TEXT PRIMARY KEY,
	kecamatan_code TEXT NOT NULL REFERENCES kecamatan (code),
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('kelurahan', 'desa')),
	population BIGINT NOT NULL DEFAULT 0 CHECK (population >= 0),
	rw INTEGER NOT NULL DEFAULT 0 CHECK (rw >= 0)
);

CREATE TABLE institutions (
	{{id}},
	key TEXT NOT NULL UNIQUE,
	ward_code TEXT NOT NULL REFERENCES wards (code),
	type TEXT NOT NULL,
	rw INTEGER NOT NULL DEFAULT 0,
	name TEXT NOT NULL
);

CREATE INDEX institutions_ward ON institutions (ward_code);

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
