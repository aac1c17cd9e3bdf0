package store

// The Insert, Get and Update of the kinds that need nothing more than their
// table: its add, get and save (see table), under the names the store's
// callers know them by. The kinds' rows, their filters and the writes that
// check more than a version are in the files of their workflows.
var (
	// InsertProposal stores a new proposal and sets its id and version.
	InsertProposal = proposalTable.add
	// GetProposal reads one proposal.
	GetProposal = proposalTable.get
	// UpdateProposal writes a changed proposal if nobody changed it since it
	// was read (its version), and bumps its version.
	UpdateProposal = proposalTable.save

	// InsertAspiration stores a resident's aspiration.
	InsertAspiration = aspirationTable.add
	// GetAspiration reads one aspiration.
	GetAspiration = aspirationTable.get

	// InsertMusrenbang stores a scheduled Musrenbang.
	InsertMusrenbang = musrenbangTable.add
	// GetMusrenbang reads one Musrenbang.
	GetMusrenbang = musrenbangTable.get
	// UpdateMusrenbang writes a changed Musrenbang if its version is still
	// the one read.
	UpdateMusrenbang = musrenbangTable.save

	// UpdateReport writes a report's step if nobody changed the report since
	// it was read (its version), and bumps its version. What a report says
	// and its evidence never change; only its state and what the steps add.
	UpdateReport = reportTable.save

	// GetFinding reads one finding, or returns an ErrNotFound.
	GetFinding = findingTable.get
	// GetComplaint reads one complaint, or returns an ErrNotFound.
	GetComplaint = complaintTable.get

	// InsertPartner stores a new partner — registered by its account, or
	// seeded in any state, without an account (AccountID 0) for one imported
	// from the region's records — and sets its id and version.
	InsertPartner = partnerTable.add
	// GetPartner reads one partner, in whatever state.
	GetPartner = partnerTable.get
	// UpdatePartner writes a changed partner if its version is still the one
	// read.
	UpdatePartner = partnerTable.save

	// GetDocument reads one document with its contents.
	GetDocument = documentTable.get

	// InsertForumMeeting stores a scheduled forum meeting.
	InsertForumMeeting = forumMeetingTable.add
	// GetForumMeeting reads one forum meeting.
	GetForumMeeting = forumMeetingTable.get
	// UpdateForumMeeting writes a changed meeting if its version is still the
	// one read. Every decision taken at a meeting updates it too, so that a
	// close racing with a decision cannot miss it.
	UpdateForumMeeting = forumMeetingTable.save

	// GetRequest reads one CSR request.
	GetRequest = requestTable.get
	// UpdateRequest writes a changed request if its version is still the one
	// read.
	UpdateRequest = requestTable.save

	// GetProgramme reads one programme.
	GetProgramme = programmeTable.get
	// UpdateProgramme writes a changed programme if its version is still the
	// one read.
	UpdateProgramme = programmeTable.save

	// InsertIdea stores a posted idea.
	InsertIdea = ideaTable.add
	// GetIdea reads one idea.
	GetIdea = ideaTable.get
	// UpdateIdea writes a decided idea if its version is still the one read.
	UpdateIdea = ideaTable.save

	// GetEvaluation reads one published evaluation.
	GetEvaluation = evaluationTable.get
)
