package report

// Finding is a change the figures led to, with the figures before and after
// as measured when it was made. Unlike the rest of the report, findings are
// not measured by the run: they are its history, kept with the code.
type Finding struct {
	Change string
	Figure string
	Before string
	After  string
}

// Findings are the changes made from these benchmarks' figures, newest last.
// The before-and-after figures were taken on the 2-core machine of the first
// runs, with the compared builds loaded in turn in the same run
// (PILARBENCH_COMPARE, quick mode, 4 workers, 4 rounds of 3 s) unless said.
var Findings = []Finding{
	{
		Change: "`partnership.Region.Institution` built the region's whole list of institutions (one per RW, formatted) on every call, " +
			"and every write naming an institution (an aspiration, a proposal) calls it: 29% of the API server's CPU under load. " +
			"It now makes only the institution the key names.",
		Figure: "`BenchmarkInstitution` (150 wards of 10 RW); authorised write",
		Before: "2.49 ms, 9,463 allocs a lookup; 460 writes/s, server CPU 2,503 µs a write",
		After:  "2.0 µs, 6 allocs; 705 writes/s (+53%), server CPU 865 µs a write",
	},
	{
		Change: "Every signed-in request read its API token, then its account, then the account's grants: three queries. " +
			"`authz.TokenPrincipal` reads the three in one (`authz.PrincipalOf` the account and grants of a session's account).",
		Figure: "authorised read and write: req/s, and server + database CPU per request",
		Before: "read 1,076/s, 1,527 µs; write 705/s, 2,139 µs",
		After:  "read 1,187/s (+10%), 1,399 µs; write 762/s (+8%), 1,982 µs",
	},
	{
		Change: "Each region's scope index held every institution key — 637,000 for the 514 regions — though an institution key " +
			"names its ward and can be checked against it. The index now holds the region, its kecamatan and its wards (84,000 in all).",
		Figure: "live heap of the API server with 514 idle regions (heap profile)",
		Before: "scope indexes 65 MB of 138 MB live",
		After:  "wards only (with the next change, below)",
	},
	{
		Change: "Every region parsed its own copy of its policy set, though 512 of the 514 are served under the national baseline alone " +
			"and a set is immutable. The cluster-mode watcher now shares one parsed set among regions served under the same text.",
		Figure: "API server RSS with 514 regions (full mode), these two changes together",
		Before: "policy sets 45 MB of 138 MB live; RSS 263 MiB idle, 545 MiB after the burst",
		After:  "RSS 137 MiB idle, 399 MiB after the burst",
	},
	{
		Change: "Tried and reverted: pgx's simple protocol instead of its per-connection cache of prepared statements. " +
			"bun writes arguments into the SQL text, so a write's statements are new every time, but a read's repeat: " +
			"the simple protocol made PostgreSQL parse and plan the read's query every time.",
		Figure: "PostgreSQL CPU per authorised read",
		Before: "393 µs (prepared statements cached)",
		After:  "847 µs (simple protocol): reverted",
	},
}
