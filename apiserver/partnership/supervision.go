package partnership

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Supervision is step 6 of the two-pillar workflow, in two kinds. Internal
// supervisors — direct superiors and the inspectorate — record findings that
// the office or institution concerned must answer by a due date; the
// supervisor closes a finding once satisfied with the answer, or reopens it.
// Residents supervise from outside through complaints, which anyone may file,
// signed in or anonymously, and which must be resolved within the region's
// complaint response time; a complaint not handled well is escalated to the
// ombudsman, who handles it from then on.
//
// The separation of duties is part of the rules: whoever recorded a finding
// does not answer it, whoever answered it does not close or reopen it, and
// nobody handles a complaint they filed themselves.

// MaxFindingDue bounds how far ahead a finding's due date may be set: a
// year, so that a finding cannot be parked out of sight.
const MaxFindingDue = 366 * 24 * time.Hour

// Lengths of the texts of findings and complaints, in characters.
const (
	maxTitle      = 200
	maxFindingTxt = 8000
	maxSubject    = 150
	maxBody       = 5000
	maxReason     = 2000
)

// FindingState is where a supervisor's finding stands.
type FindingState string

// The states of a finding.
const (
	FindingOpen      FindingState = "open"      // waiting for the answer of the office or institution
	FindingResponded FindingState = "responded" // answered, waiting for the supervisor
	FindingClosed    FindingState = "closed"    // the supervisor accepted the answer
)

// FindingMachine is the life of a finding: it is answered, then closed, or
// reopened when the supervisor rejects the answer. A closed finding is final.
var FindingMachine = machine[FindingState]{
	FindingOpen:      {FindingResponded},
	FindingResponded: {FindingClosed, FindingOpen},
}

// Finding is an internal supervisor's finding about something at a scope of
// the region's tree, which whoever works there must answer by DueAt.
type Finding struct {
	ID    int64
	Scope string // the region, a kecamatan, a ward or an institution
	// ObjectType and ObjectID optionally name what the finding is about,
	// e.g. "proposal" and "17"; both or neither.
	ObjectType   string
	ObjectID     string
	Title        string
	Detail       string
	State        FindingState
	RecordedBy   int64 // the supervisor's account
	RecordedAt   time.Time
	DueAt        time.Time
	Response     string // the latest answer; kept when the finding is reopened
	RespondedBy  int64  // 0 until answered
	RespondedAt  time.Time
	ReopenReason string // why the supervisor rejected the latest answer
	ClosedAt     time.Time
	UpdatedAt    time.Time
	// Version counts the stored changes; the store refuses to overwrite a
	// finding that changed since it was read.
	Version int64
}

// NewFinding is what a supervisor records.
type NewFinding struct {
	Scope      string `json:"scope" form:"scope"`
	ObjectType string `json:"objectType" form:"objectType"`
	ObjectID   string `json:"objectId" form:"objectId"`
	Title      string `json:"title" form:"title"`
	Detail     string `json:"detail" form:"detail"`
	// DueAt is a date ("2026-12-31", the end of that day in the region's
	// time zone) or a time in RFC 3339; empty for the region's finding
	// response time.
	DueAt string `json:"dueAt" form:"dueAt"`
}

var (
	objectTypePattern = regexp.MustCompile(`^[a-z][a-z-]{0,31}$`)
	objectIDPattern   = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._/-]{0,63}$`)
)

// Finding validates a supervisor's finding and makes it, open and recorded now.
// Without a due date the finding is due after the region's finding response
// time; a region that sets none needs a due date on every finding.
func (r *Region) Finding(n NewFinding, by int64, now time.Time) (*Finding, error) {
	now = utcMicro(now)
	if r.ScopeLevel(n.Scope) == "" {
		return nil, Invalid("scope", "%q is not the region, a kecamatan, a ward or an institution of %s", n.Scope, r.Name)
	}
	switch {
	case n.ObjectType == "" && n.ObjectID == "":
	case !objectTypePattern.MatchString(n.ObjectType):
		return nil, Invalid("objectType", "a kind of object such as \"proposal\", given with objectId")
	case !objectIDPattern.MatchString(n.ObjectID):
		return nil, Invalid("objectId", "the id of the %s, up to 64 letters, digits, dots, dashes or slashes", n.ObjectType)
	}
	if err := supervisionText("title", n.Title, maxTitle); err != nil {
		return nil, err
	}
	if err := supervisionText("detail", n.Detail, maxFindingTxt); err != nil {
		return nil, err
	}
	due, err := r.findingDue(n.DueAt, now)
	if err != nil {
		return nil, err
	}
	return &Finding{
		Scope: n.Scope, ObjectType: n.ObjectType, ObjectID: n.ObjectID,
		Title: strings.TrimSpace(n.Title), Detail: strings.TrimSpace(n.Detail),
		State: FindingOpen, RecordedBy: by, RecordedAt: now, DueAt: due, UpdatedAt: now,
	}, nil
}

// findingDue is the due date given, which must lie after now and at most
// MaxFindingDue ahead, or else now plus the region's finding response time.
func (r *Region) findingDue(given string, now time.Time) (time.Time, error) {
	if strings.TrimSpace(given) == "" {
		if r.TwoPillar == nil || r.TwoPillar.FindingResponse <= 0 {
			return time.Time{}, Invalid("dueAt", "required: %s sets no response time for findings", r.Name)
		}
		return now.Add(r.TwoPillar.FindingResponse), nil
	}
	due, err := ParseDue(given, r.Location)
	if err != nil {
		return time.Time{}, err
	}
	switch {
	case !due.After(now):
		return time.Time{}, Invalid("dueAt", "must be after the finding is recorded (%s)", now.Format(time.RFC3339))
	case due.Sub(now) > MaxFindingDue:
		return time.Time{}, Invalid("dueAt", "at most a year ahead")
	}
	return due, nil
}

// ParseDue reads a due date: a date, meaning the end of that day in loc (UTC
// when nil), or a time in RFC 3339. The result is in UTC to the microsecond.
func ParseDue(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	s = strings.TrimSpace(s)
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err == nil {
		t = t.AddDate(0, 0, 1).Add(-time.Second)
	} else {
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	if err != nil || t.Year() < 2000 || t.Year() > 9999 {
		return time.Time{}, Invalid("dueAt", "a date (2026-12-31) or a time in RFC 3339 (2026-12-31T17:00:00+07:00)")
	}
	return utcMicro(t), nil
}

// check refuses a move of the finding that FindingMachine does not allow,
// and one by the account barred from it (refusal says why).
func (f *Finding) check(to FindingState, by, barred int64, refusal string) error {
	if err := FindingMachine.Check(f.name(), f.State, to); err != nil {
		return err
	}
	if by == barred {
		return fmt.Errorf("%w: %s", ErrForbidden, refusal)
	}
	return nil
}

// Respond records the answer of the office or institution to an open finding.
// The supervisor who recorded it may not answer it.
func (f *Finding) Respond(text string, by int64, now time.Time) error {
	if err := f.check(FindingResponded, by, f.RecordedBy, "whoever recorded a finding does not answer it"); err != nil {
		return err
	}
	if err := supervisionText("response", text, maxFindingTxt); err != nil {
		return err
	}
	now = utcMicro(now)
	f.State, f.Response, f.RespondedBy, f.RespondedAt, f.UpdatedAt = FindingResponded, strings.TrimSpace(text), by, now, now
	return nil
}

// Close accepts the answer to a finding; a closed finding is final. Whoever
// answered it may not close it.
func (f *Finding) Close(by int64, now time.Time) error {
	if err := f.check(FindingClosed, by, f.RespondedBy, "whoever answered a finding does not close it"); err != nil {
		return err
	}
	now = utcMicro(now)
	f.State, f.ClosedAt, f.UpdatedAt = FindingClosed, now, now
	return nil
}

// Reopen rejects the answer to a finding, with a reason, and opens it again
// with a new due date: the one given (as for a new finding), or now plus the
// region's finding response time. Whoever answered it may not reopen it.
func (f *Finding) Reopen(r *Region, reason, due string, by int64, now time.Time) error {
	if err := f.check(FindingOpen, by, f.RespondedBy, "whoever answered a finding does not reopen it"); err != nil {
		return err
	}
	if err := supervisionText("reason", reason, maxReason); err != nil {
		return err
	}
	now = utcMicro(now)
	d, err := r.findingDue(due, now)
	if err != nil {
		return err
	}
	f.State, f.ReopenReason, f.DueAt, f.UpdatedAt = FindingOpen, strings.TrimSpace(reason), d, now
	return nil
}

// Overdue reports whether the finding is still waiting for an answer after its due date.
func (f *Finding) Overdue(now time.Time) bool {
	return f.State == FindingOpen && now.After(f.DueAt)
}

func (f *Finding) name() string { return fmt.Sprintf("finding %d", f.ID) }

// ComplaintState is where a complaint stands.
type ComplaintState string

// The states of a complaint.
const (
	ComplaintFiled         ComplaintState = "filed"
	ComplaintReceived      ComplaintState = "received"      // acknowledged by the ward or kecamatan office
	ComplaintInvestigating ComplaintState = "investigating" // by the office, or by the ombudsman once escalated
	ComplaintResolved      ComplaintState = "resolved"      // with a resolution text
	ComplaintEscalated     ComplaintState = "escalated"     // to the ombudsman, with a reason
)

// ComplaintMachine is the life of a complaint: received, investigated and
// resolved by the region's offices, or escalated to the ombudsman at any
// point before it is resolved; the ombudsman takes an escalated complaint up
// (investigating) or resolves it. A resolved complaint is final.
var ComplaintMachine = machine[ComplaintState]{
	ComplaintFiled:         {ComplaintReceived, ComplaintEscalated},
	ComplaintReceived:      {ComplaintInvestigating, ComplaintEscalated},
	ComplaintInvestigating: {ComplaintResolved, ComplaintEscalated},
	ComplaintEscalated:     {ComplaintInvestigating, ComplaintResolved},
}

// Complaint is a resident's complaint about a ward, or an institution of a
// ward, which must be resolved by DueAt.
type Complaint struct {
	ID       int64
	Scope    string // the ward, or the institution complained about
	WardCode string
	// AccountID is the resident who filed it, 0 when it was filed
	// anonymously: the filer then follows it with a tracking code.
	AccountID int64
	Subject   string
	Body      string
	// Public is the filer's choice: whether everyone may read the complaint
	// and the record of its handling, or only the filer and those handling it.
	Public           bool
	State            ComplaintState
	FiledAt          time.Time
	DueAt            time.Time
	ReceivedAt       time.Time
	EscalatedAt      time.Time
	EscalationReason string
	// Ombudsman is set once the complaint is escalated: from then on only the
	// ombudsman handles it, and it cannot be escalated again.
	Ombudsman  bool
	ResolvedAt time.Time
	Resolution string
	UpdatedAt  time.Time
	// Version counts the stored changes; the store refuses to overwrite a
	// complaint that changed since it was read.
	Version int64
}

// NewComplaint is what a resident files.
type NewComplaint struct {
	Ward        string `json:"ward" form:"ward"`               // a ward code; may be left out when Institution is given
	Institution string `json:"institution" form:"institution"` // optional: an institution of the ward
	Subject     string `json:"subject" form:"subject"`
	Body        string `json:"body" form:"body"`
	Public      bool   `json:"public" form:"public"`
}

// Complaint validates a complaint and makes it, filed now by the account (0
// for anonymous) and due after the region's complaint response time.
func (r *Region) Complaint(n NewComplaint, accountID int64, now time.Time) (*Complaint, error) {
	if r.TwoPillar == nil || r.TwoPillar.ComplaintResponse <= 0 {
		return nil, fmt.Errorf("%w: %s does not run the two-pillar model's complaints", ErrConflict, r.Name)
	}
	now = utcMicro(now)
	ward, scope := n.Ward, n.Ward
	if n.Institution != "" {
		// An institution's key is its ward's code, a slash and the rest.
		inWard, _, _ := strings.Cut(n.Institution, "/")
		if r.ScopeLevel(n.Institution) != "institution" {
			return nil, Invalid("institution", "%q is not an institution of %s", n.Institution, r.Name)
		}
		if ward == "" {
			ward = inWard
		}
		if inWard != ward {
			return nil, Invalid("institution", "%s is not an institution of ward %s", n.Institution, ward)
		}
		scope = n.Institution
	}
	if r.ScopeLevel(ward) != "ward" {
		return nil, Invalid("ward", "%q is not a ward of %s", ward, r.Name)
	}
	if err := supervisionText("subject", n.Subject, maxSubject); err != nil {
		return nil, err
	}
	if err := supervisionText("body", n.Body, maxBody); err != nil {
		return nil, err
	}
	return &Complaint{
		Scope: scope, WardCode: ward, AccountID: accountID,
		Subject: strings.TrimSpace(n.Subject), Body: strings.TrimSpace(n.Body), Public: n.Public,
		State: ComplaintFiled, FiledAt: now, DueAt: now.Add(r.TwoPillar.ComplaintResponse), UpdatedAt: now,
	}, nil
}

// Anonymous reports whether the complaint was filed without an account.
func (c *Complaint) Anonymous() bool { return c.AccountID == 0 }

// Receive acknowledges a filed complaint.
func (c *Complaint) Receive(by int64, now time.Time) error {
	if err := c.move(ComplaintReceived, by); err != nil {
		return err
	}
	now = utcMicro(now)
	c.State, c.ReceivedAt, c.UpdatedAt = ComplaintReceived, now, now
	return nil
}

// Investigate starts the investigation of a received complaint, or the
// ombudsman's of an escalated one.
func (c *Complaint) Investigate(by int64, now time.Time) error {
	if err := c.move(ComplaintInvestigating, by); err != nil {
		return err
	}
	c.State, c.UpdatedAt = ComplaintInvestigating, utcMicro(now)
	return nil
}

// Resolve resolves a complaint under investigation or escalated, saying how.
func (c *Complaint) Resolve(resolution string, by int64, now time.Time) error {
	if err := c.move(ComplaintResolved, by); err != nil {
		return err
	}
	if err := supervisionText("resolution", resolution, maxBody); err != nil {
		return err
	}
	now = utcMicro(now)
	c.State, c.Resolution, c.ResolvedAt, c.UpdatedAt = ComplaintResolved, strings.TrimSpace(resolution), now, now
	return nil
}

// Escalate hands an unresolved complaint to the ombudsman, with a reason. The
// filer may escalate their own complaint; a complaint goes to the ombudsman once.
func (c *Complaint) Escalate(reason string, now time.Time) error {
	if err := ComplaintMachine.Check(c.name(), c.State, ComplaintEscalated); err != nil {
		return err
	}
	if c.Ombudsman {
		return fmt.Errorf("%w: %s is already with the ombudsman", ErrConflict, c.name())
	}
	if err := supervisionText("reason", reason, maxReason); err != nil {
		return err
	}
	now = utcMicro(now)
	c.State, c.Ombudsman, c.EscalationReason, c.EscalatedAt, c.UpdatedAt = ComplaintEscalated, true, strings.TrimSpace(reason), now, now
	return nil
}

// move checks a handling move: allowed by the machine, and not made by the filer.
func (c *Complaint) move(to ComplaintState, by int64) error {
	if err := ComplaintMachine.Check(c.name(), c.State, to); err != nil {
		return err
	}
	if !c.Anonymous() && by == c.AccountID {
		return fmt.Errorf("%w: nobody handles a complaint they filed", ErrForbidden)
	}
	return nil
}

// Overdue reports whether the complaint was not resolved by its due date: it
// is still unresolved after it, or it was resolved late.
func (c *Complaint) Overdue(now time.Time) bool {
	if c.State == ComplaintResolved {
		return c.ResolvedAt.After(c.DueAt)
	}
	return now.After(c.DueAt)
}

// ResolutionTime is how long the complaint took from filing to resolution;
// false while it is unresolved.
func (c *Complaint) ResolutionTime() (time.Duration, bool) {
	if c.State != ComplaintResolved {
		return 0, false
	}
	return c.ResolvedAt.Sub(c.FiledAt), true
}

func (c *Complaint) name() string { return fmt.Sprintf("complaint %d", c.ID) }

// Tracking codes let an anonymous filer follow their complaint. A code is 20
// characters of Crockford's base32 (100 random bits) shown in four groups,
// e.g. "7K3QD-M0XZA-9PRTV-4HG2E"; it is read ignoring case, dashes and spaces,
// with O read as 0 and I and L as 1.
const (
	trackingAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	trackingLen      = 20
)

// NewTrackingCode makes a fresh random tracking code.
func NewTrackingCode() string {
	b := make([]byte, trackingLen)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	for i := range b {
		b[i] = trackingAlphabet[b[i]&31]
	}
	return groupTrackingCode(string(b))
}

// NormalizeTrackingCode reads a tracking code as typed and returns it in its
// canonical form, or an ErrInvalid on "code".
func NormalizeTrackingCode(s string) (string, error) {
	if len(s) > 64 {
		return "", Invalid("code", "not a tracking code")
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r >= utf8.RuneSelf || !strings.ContainsRune(trackingAlphabet, r) {
			return "", Invalid("code", "not a tracking code")
		}
		b.WriteRune(r)
	}
	if b.Len() != trackingLen {
		return "", Invalid("code", "a tracking code has %d letters and digits", trackingLen)
	}
	return groupTrackingCode(b.String()), nil
}

func groupTrackingCode(s string) string {
	return s[0:5] + "-" + s[5:10] + "-" + s[10:15] + "-" + s[15:20]
}

// supervisionText refuses an empty or too long text, naming the field.
func supervisionText(field, s string, max int) error {
	if err := checkText(field, s, 1, max); err != nil {
		return err
	}
	if !utf8.ValidString(s) {
		return Invalid(field, "not valid UTF-8")
	}
	return nil
}

// utcMicro is a time as the databases store it: UTC, to the microsecond.
func utcMicro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
