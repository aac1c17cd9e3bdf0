package partnership

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Realisation reports are step 5 of the two-pillar workflow: the institution
// that carried out an approved activity reports what it spent, what came of
// it and how many took part, with evidence attached; the report then goes up
// the hierarchy — the ward office verifies it, the kecamatan office
// consolidates it, the regional secretariat evaluates it. Any of those may
// instead send it back with a reason, and the institution submits a new
// report; the one sent back stays as history.
//
// A report does not have a state machine of its own: every step moves its
// proposal through ProposalMachine (reported → verified → consolidated →
// evaluated, or returned), and the report's state mirrors the proposal's.
// Only the proposal's current report — the newest, not sent back — can take
// a step.

// ReportState is where a realisation report stands; it mirrors its proposal's state.
type ReportState string

// The states of a report.
const (
	ReportSubmitted    ReportState = "submitted"    // waiting for the ward office
	ReportVerified     ReportState = "verified"     // waiting for the kecamatan office
	ReportConsolidated ReportState = "consolidated" // waiting for the regional secretariat
	ReportEvaluated    ReportState = "evaluated"    // final
	ReportReturned     ReportState = "returned"     // sent back with a reason; a new report follows
)

// reportStates pairs each proposal state a report can mirror with the report's state.
var reportStates = map[ProposalState]ReportState{
	ProposalReported:     ReportSubmitted,
	ProposalVerified:     ReportVerified,
	ProposalConsolidated: ReportConsolidated,
	ProposalEvaluated:    ReportEvaluated,
	ProposalReturned:     ReportReturned,
}

// ReportStep is a step a report takes up the hierarchy.
type ReportStep string

// The steps of a report after its submission.
const (
	StepVerify      ReportStep = "verify"      // by the ward office
	StepConsolidate ReportStep = "consolidate" // by the kecamatan office
	StepEvaluate    ReportStep = "evaluate"    // by the regional secretariat, with an evaluation note
	StepReturn      ReportStep = "return"      // by whoever holds the report now, with a reason
)

// stepTargets is where each step takes the proposal.
var stepTargets = map[ReportStep]ProposalState{
	StepVerify:      ProposalVerified,
	StepConsolidate: ProposalConsolidated,
	StepEvaluate:    ProposalEvaluated,
	StepReturn:      ProposalReturned,
}

// Pending names the step a report waits for — verify, consolidate or
// evaluate — or "" when it waits for none: evaluated or sent back. Whoever
// may take that step may also send the report back.
func (s ReportState) Pending() ReportStep {
	switch s {
	case ReportSubmitted:
		return StepVerify
	case ReportVerified:
		return StepConsolidate
	case ReportConsolidated:
		return StepEvaluate
	}
	return ""
}

// Limits of a report and its evidence.
const (
	MaxOutputs        = 4000       // characters of a report's outputs
	MaxEvaluation     = 4000       // characters of the regional secretariat's note
	MaxParticipants   = 10_000_000 // people taking part in one activity
	MaxAttachments    = 5          // files a report
	MaxAttachmentSize = 2 << 20    // bytes a file: 2 MiB
	maxAttachmentName = 200        // characters of a file's name
)

// reportEndOfDay is the last second of a day, counted from its start.
const reportEndOfDay = 24*time.Hour - time.Second

// Report is an institution's realisation report on one of its proposals.
type Report struct {
	ID          int64
	ProposalID  int64
	Institution string
	WardCode    string
	FiscalYear  int
	Spent       Rupiah
	Outputs     string
	// Participants is how many people took part in the activity.
	Participants int
	// ActivityStart and ActivityEnd are dates: the start of the day in the
	// region's time zone, in UTC.
	ActivityStart time.Time
	ActivityEnd   time.Time
	// DueAt is fixed when the report is submitted (see Region.ReportDue):
	// a later change of the region's deadline does not move it.
	DueAt          time.Time
	SubmittedBy    int64
	SubmittedAt    time.Time
	State          ReportState
	Reason         string    // why it was sent back
	Evaluation     string    // the regional secretariat's note
	VerifiedAt     time.Time // zero until verified
	ConsolidatedAt time.Time // zero until consolidated
	EvaluatedAt    time.Time // zero until evaluated
	Attachments    []Attachment
	// Version counts the stored changes; the store refuses to overwrite a
	// report that changed since it was read.
	Version int
}

// Late reports whether the report was submitted after it was due.
func (rep *Report) Late() bool { return rep.SubmittedAt.After(rep.DueAt) }

// Attachment is a file of evidence attached to a report: a PDF, JPEG or PNG
// image, recognised by its content.
type Attachment struct {
	N           int // its position in the report, from 1
	Name        string
	ContentType string // application/pdf, image/jpeg or image/png, from the content
	Size        int64
	SHA256      string // hex
	Data        []byte // nil when only the metadata was read
	UploadedAt  time.Time
}

// Upload is a file as it arrived, before it is checked.
type Upload struct {
	Name string
	// Size is the file's size as the request gave it; Data may hold only
	// the first MaxAttachmentSize+1 bytes of a larger file.
	Size int64
	Data []byte
}

// ReportInput is what an institution writes in a realisation report.
type ReportInput struct {
	Spent         Rupiah `json:"spent" form:"spent"`
	Outputs       string `json:"outputs" form:"outputs"`
	Participants  int    `json:"participants" form:"participants"`
	ActivityStart string `json:"activityStart" form:"activityStart"` // 2026-11-01
	ActivityEnd   string `json:"activityEnd" form:"activityEnd"`
}

// ReportDue is when a report on an activity that ended on the given date is
// due: the end of that day plus the region's report deadline.
func (r *Region) ReportDue(activityEnd time.Time) time.Time {
	var deadline time.Duration
	if r.TwoPillar != nil {
		deadline = r.TwoPillar.ReportDeadline
	}
	return activityEnd.Add(reportEndOfDay + deadline).UTC()
}

// Report validates an institution's realisation report on an approved
// proposal — or on a returned one, resubmitting it — and makes it, submitted
// now with its evidence; the proposal moves to reported. A refused report
// leaves the proposal as it was.
func (r *Region) Report(p *Proposal, in ReportInput, files []Upload, by int64, now time.Time) (*Report, error) {
	if r.TwoPillar == nil {
		return nil, fmt.Errorf("%w: %s does not run the two-pillar model", ErrForbidden, r.Name)
	}
	if err := ProposalMachine.Check(p.name(), p.State, ProposalReported); err != nil {
		return nil, fmt.Errorf("%w; only an approved or returned proposal is reported on", err)
	}
	if err := CheckAmount("spent", in.Spent, true); err != nil {
		return nil, err
	}
	if in.Spent > p.Cost {
		return nil, Invalid("spent", "%s spent is more than the %s committed to proposal %d", in.Spent, p.Cost, p.ID)
	}
	if err := checkText("outputs", in.Outputs, 1, MaxOutputs); err != nil {
		return nil, err
	}
	if err := checkCount("participants", in.Participants, MaxParticipants, "a number"); err != nil {
		return nil, err
	}
	// The activity starts within or after the proposal's fiscal year.
	start, end, err := r.activityDates(in.ActivityStart, in.ActivityEnd, now, func(start, _ time.Time) error {
		if start.Year() < p.FiscalYear {
			return Invalid("activityStart", "before fiscal year %d of the proposal", p.FiscalYear)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	atts, err := CheckUploads(files, now)
	if err != nil {
		return nil, err
	}
	rep := &Report{
		ProposalID: p.ID, Institution: p.Institution, WardCode: p.WardCode, FiscalYear: p.FiscalYear,
		Spent: in.Spent, Outputs: strings.TrimSpace(in.Outputs), Participants: in.Participants,
		ActivityStart: start, ActivityEnd: end, DueAt: r.ReportDue(end),
		SubmittedBy: by, SubmittedAt: now, State: ReportSubmitted, Attachments: atts,
	}
	if err := p.Move(ProposalReported, "", now); err != nil {
		return nil, err
	}
	p.Reason = "" // a resubmission answers the reason it was returned for; that report keeps it
	return rep, nil
}

// activityDates reads the dates an activity ran from and to, as days of the
// region's time zone: the start no later than the end, both as within (of
// the days' starts in that zone) accepts, the end not in the future. They
// come back in UTC.
func (r *Region) activityDates(from, to string, now time.Time, within func(start, end time.Time) error) (start, end time.Time, err error) {
	loc := r.location()
	if start, err = parseDate("activityStart", from, loc); err != nil {
		return
	}
	if end, err = parseDate("activityEnd", to, loc); err != nil {
		return
	}
	if end.Before(start) {
		return start, end, Invalid("activityEnd", "%s is before the activity started (%s)", to, from)
	}
	if err = within(start, end); err != nil {
		return
	}
	local := now.In(loc)
	if end.After(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)) {
		return start, end, Invalid("activityEnd", "in the future; report once the activity has ended")
	}
	return start.UTC(), end.UTC(), nil
}

// parseDate reads a date — 2026-11-20, or a time in RFC 3339 of which the
// date in loc is taken — as the start of that day in loc.
func parseDate(field, s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, Invalid(field, "required, as a date (2026-11-20)")
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		var u time.Time
		if u, err = time.Parse(time.RFC3339Nano, s); err == nil {
			u = u.In(loc)
			t = time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, loc)
		}
	}
	if err != nil || t.Year() < 2000 || t.Year() > 9999 {
		return time.Time{}, Invalid(field, "a date (2026-11-20)")
	}
	return t, nil
}

// The kinds of file a report may carry, by the first bytes of their content.
var attachmentKinds = []struct {
	magic       []byte
	contentType string
}{
	{[]byte("%PDF-"), "application/pdf"},
	{[]byte("\x89PNG\r\n\x1a\n"), "image/png"},
	{[]byte("\xff\xd8\xff"), "image/jpeg"},
}

// SniffAttachment names the content type of a file from its first bytes, or
// returns "" for anything but a PDF, JPEG or PNG. The name and the type a
// client declares are not trusted: a page or a program renamed .png is refused.
func SniffAttachment(data []byte) string {
	for _, k := range attachmentKinds {
		if bytes.HasPrefix(data, k.magic) {
			return k.contentType
		}
	}
	return ""
}

// CheckUploads checks a report's files — at most MaxAttachments, each a
// PDF, JPEG or PNG of at most MaxAttachmentSize — and makes them attachments,
// uploaded now. Every refusal is on the field "attachments".
func CheckUploads(files []Upload, now time.Time) ([]Attachment, error) {
	if len(files) > MaxAttachments {
		return nil, Invalid("attachments", "%d files; at most %d a report", len(files), MaxAttachments)
	}
	out := make([]Attachment, 0, len(files))
	for i, f := range files {
		name := attachmentName(f.Name, i+1)
		size := max(f.Size, int64(len(f.Data)))
		switch {
		case size > MaxAttachmentSize:
			return nil, Invalid("attachments", "%q is %s; at most 2 MiB a file", name, mebibytes(size))
		case size == 0:
			return nil, Invalid("attachments", "%q is empty", name)
		case int64(len(f.Data)) != size:
			return nil, Invalid("attachments", "%q arrived incomplete", name)
		}
		typ := SniffAttachment(f.Data)
		if typ == "" {
			return nil, Invalid("attachments", "%q is not a PDF, JPEG or PNG file (judged by its content, not its name)", name)
		}
		sum := sha256.Sum256(f.Data)
		out = append(out, Attachment{N: i + 1, Name: name, ContentType: typ, Size: size, SHA256: hex.EncodeToString(sum[:]),
			Data: f.Data, UploadedAt: now.UTC().Truncate(time.Microsecond)})
	}
	return out, nil
}

// attachmentName keeps the last element of a file's name, without control
// characters and bounded, or names the n-th file when nothing is left.
func attachmentName(name string, n int) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > maxAttachmentName {
		name = string([]rune(name)[:maxAttachmentName])
	}
	if name == "" || name == "." || name == ".." {
		name = fmt.Sprintf("attachment-%d", n)
	}
	return name
}

func mebibytes(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// Take takes a step on the proposal's current report: verify, consolidate,
// evaluate (with the evaluation note as text) or return (with the reason as
// text). The proposal moves through ProposalMachine and the report follows
// it; a refused step changes neither.
func (rep *Report) Take(p *Proposal, step ReportStep, text string, now time.Time) error {
	to, known := stepTargets[step]
	if !known {
		return Invalid("step", "verify, consolidate, evaluate or return")
	}
	if p.ID != rep.ProposalID {
		return fmt.Errorf("%w: report %d is not on proposal %d", ErrConflict, rep.ID, p.ID)
	}
	if rep.State == ReportReturned || reportStates[p.State] != rep.State {
		return fmt.Errorf("%w: report %d is %s and proposal %d is %s; only the proposal's current report takes a step", ErrConflict, rep.ID, rep.State, p.ID, p.State)
	}
	if step == StepEvaluate {
		if err := ProposalMachine.Check(p.name(), p.State, to); err != nil {
			return err
		}
		if err := checkText("evaluation", text, 1, MaxEvaluation); err != nil {
			return err
		}
	}
	// Move itself refuses a return without a reason.
	now = now.UTC().Truncate(time.Microsecond)
	if err := p.Move(to, text, now); err != nil {
		return err
	}
	rep.State = reportStates[p.State]
	switch step {
	case StepVerify:
		rep.VerifiedAt = now
	case StepConsolidate:
		rep.ConsolidatedAt = now
	case StepEvaluate:
		rep.Evaluation, rep.EvaluatedAt = strings.TrimSpace(text), now
	case StepReturn:
		rep.Reason = p.Reason
	}
	return nil
}
