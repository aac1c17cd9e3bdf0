package web

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/supervision"
	"pilar.id/pilar/policies"
)

// Supervision over HTTP: internal supervisors' findings and residents'
// complaints. Each handler parses, calls the step or read of package
// supervision, which keeps the rules of who sees and moves what, and shows
// the result.

// --- findings ---

type findingJSON struct {
	ID           int64                    `json:"id"`
	Scope        string                   `json:"scope"`
	ObjectType   string                   `json:"objectType,omitempty"`
	ObjectID     string                   `json:"objectId,omitempty"`
	Title        string                   `json:"title"`
	Detail       string                   `json:"detail"`
	State        partnership.FindingState `json:"state"`
	RecordedBy   int64                    `json:"recordedBy"`
	RecordedAt   time.Time                `json:"recordedAt"`
	DueAt        time.Time                `json:"dueAt"`
	Overdue      bool                     `json:"overdue"`
	Response     string                   `json:"response,omitempty"`
	RespondedBy  int64                    `json:"respondedBy,omitempty"`
	RespondedAt  *time.Time               `json:"respondedAt,omitempty"`
	ReopenReason string                   `json:"reopenReason,omitempty"`
	ClosedAt     *time.Time               `json:"closedAt,omitempty"`
	Version      int64                    `json:"version"`
}

// findingOut shows findings as overdue or not at now.
func findingOut(now time.Time) func(*partnership.Finding) findingJSON {
	return func(f *partnership.Finding) findingJSON {
		return findingJSON{
			ID: f.ID, Scope: f.Scope, ObjectType: f.ObjectType, ObjectID: f.ObjectID, Title: f.Title, Detail: f.Detail,
			State: f.State, RecordedBy: f.RecordedBy, RecordedAt: f.RecordedAt, DueAt: f.DueAt, Overdue: f.Overdue(now),
			Response: f.Response, RespondedBy: f.RespondedBy, RespondedAt: timeOrNil(f.RespondedAt),
			ReopenReason: f.ReopenReason, ClosedAt: timeOrNil(f.ClosedAt), Version: f.Version,
		}
	}
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// findingStepIn is the body of a move of a finding: the answer (respond), or
// the reason and optionally a new due date (reopen); close needs none.
type findingStepIn struct {
	Response string `json:"response,omitempty" form:"response"`
	Reason   string `json:"reason,omitempty" form:"reason"`
	DueAt    string `json:"dueAt,omitempty" form:"dueAt"`
}

// newFindingScope is where a finding is recorded: recording needs finding:record there.
func newFindingScope(c *fiber.Ctx) (string, error) {
	var in partnership.NewFinding
	return bodyPlace(c, &in, "scope", &in.Scope, "the region, a kecamatan, a ward or an institution", "region", "kecamatan", "ward", "institution")
}

var findingScope = objectScope(store.GetFinding, func(f *partnership.Finding) string { return f.Scope })

// The handlers of findings answer with them as overdue or not now.

// recordFinding records an internal supervisor's finding.
func recordFinding(c *fiber.Ctx) error {
	return takeNew(supervision.RecordFinding, findingOut(realmOf(c).Clock()))(c)
}

// getFinding shows a finding to those who may read findings at its scope.
func getFinding(c *fiber.Ctx) error {
	return byID(asCaller(supervision.Finding), findingOut(realmOf(c).Clock()))(c)
}

// listFindings pages through the findings the caller may read, narrowed by
// ?scope=, ?state= and ?overdue=true.
func listFindings(c *fiber.Ctx) error {
	now := realmOf(c).Clock()
	return listOf(func(c *fiber.Ctx, q *query) supervision.FindingQuery {
		return supervision.FindingQuery{Scope: c.Query("scope"), State: partnership.FindingState(c.Query("state")), After: q.after, Limit: q.limit,
			OverdueAt: q.overdue(now)}
	}, asCaller(supervision.Findings), func(f *partnership.Finding) int64 { return f.ID }, findingOut(now))(c)
}

// moveFinding answers a finding (respond), accepts the answer (close) or
// rejects it (reopen).
func moveFinding(to partnership.FindingState) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return takeOnWith(optionalBody, fiber.StatusOK, func(in findingStepIn) supervision.FindingMove { return supervision.FindingMove(in) },
			toward(supervision.MoveFinding, to), findingOut(realmOf(c).Clock()))(c)
	}
}

// --- complaints ---

type complaintJSON struct {
	ID               int64                      `json:"id"`
	Scope            string                     `json:"scope"`
	Ward             string                     `json:"ward"`
	Subject          string                     `json:"subject"`
	Body             string                     `json:"body"`
	Public           bool                       `json:"public"`
	Anonymous        bool                       `json:"anonymous"`
	Own              bool                       `json:"own"`               // filed by the caller
	FiledBy          int64                      `json:"filedBy,omitempty"` // shown to the filer and those handling it
	State            partnership.ComplaintState `json:"state"`
	FiledAt          time.Time                  `json:"filedAt"`
	DueAt            time.Time                  `json:"dueAt"`
	Overdue          bool                       `json:"overdue"`
	ReceivedAt       *time.Time                 `json:"receivedAt,omitempty"`
	EscalatedAt      *time.Time                 `json:"escalatedAt,omitempty"`
	EscalationReason string                     `json:"escalationReason,omitempty"`
	Ombudsman        bool                       `json:"ombudsman"` // escalated: the ombudsman handles it
	ResolvedAt       *time.Time                 `json:"resolvedAt,omitempty"`
	Resolution       string                     `json:"resolution,omitempty"`
	// ResolutionTime is how long it took from filing to resolution, as a
	// duration ("240h0m0s") and in seconds.
	ResolutionTime    string `json:"resolutionTime,omitempty"`
	ResolutionSeconds int64  `json:"resolutionSeconds,omitempty"`
	Version           int64  `json:"version"`
}

// filedComplaintJSON is a complaint just filed: anonymous ones carry the
// tracking code, shown this once.
type filedComplaintJSON struct {
	complaintJSON
	TrackingCode string `json:"trackingCode,omitempty"`
}

// complaintOut shows complaints as overdue or not at now; who filed one only
// to its filer and to those handling it.
func complaintOut(now time.Time) func(supervision.ComplaintView) complaintJSON {
	return func(v supervision.ComplaintView) complaintJSON {
		cp := v.Complaint
		out := complaintJSON{
			ID: cp.ID, Scope: cp.Scope, Ward: cp.WardCode, Subject: cp.Subject, Body: cp.Body, Public: cp.Public,
			Anonymous: cp.Anonymous(), Own: v.Own, State: cp.State,
			FiledAt: cp.FiledAt, DueAt: cp.DueAt, Overdue: cp.Overdue(now), ReceivedAt: timeOrNil(cp.ReceivedAt),
			EscalatedAt: timeOrNil(cp.EscalatedAt), EscalationReason: cp.EscalationReason, Ombudsman: cp.Ombudsman,
			ResolvedAt: timeOrNil(cp.ResolvedAt), Resolution: cp.Resolution, Version: cp.Version,
		}
		if v.Handler || v.Own {
			out.FiledBy = cp.AccountID
		}
		if d, ok := cp.ResolutionTime(); ok {
			out.ResolutionTime, out.ResolutionSeconds = d.String(), int64(d/time.Second)
		}
		return out
	}
}

// complaintStepIn is the body of a move of a complaint: the resolution
// (resolve) or the reason (escalate); receive and investigate need none.
type complaintStepIn struct {
	Resolution string `json:"resolution,omitempty" form:"resolution"`
	Reason     string `json:"reason,omitempty" form:"reason"`
}

// newComplaintScope is what a complaint is about, the ward or an institution
// of it: filing needs complaint:file there.
func newComplaintScope(c *fiber.Ctx) (string, error) {
	var in partnership.NewComplaint
	if err := parseBody(c, &in); err != nil {
		return "", err
	}
	r := regionOf(c).tenant.Region
	scope := in.Ward
	if in.Institution != "" {
		scope = in.Institution
	}
	switch r.ScopeLevel(scope) {
	case "ward", "institution":
		return scope, nil
	}
	if in.Institution != "" {
		return "", partnership.Invalid("institution", "%q is not an institution of %s", in.Institution, r.Name)
	}
	return "", partnership.Invalid("ward", "%q is not a ward of %s", in.Ward, r.Name)
}

// fileComplaint files a complaint, anonymously when nobody is signed in; an
// anonymous filer gets the tracking code in the answer, once.
func fileComplaint(c *fiber.Ctx) error {
	var in partnership.NewComplaint
	if err := parseBody(c, &in); err != nil {
		return err
	}
	return answer2(c, fiber.StatusCreated, func(v supervision.ComplaintView, code string) filedComplaintJSON {
		return filedComplaintJSON{complaintOut(realmOf(c).Clock())(v), code}
	})(supervision.FileComplaint(c.UserContext(), realmOf(c), actorOf(c), supervision.Filing{NewComplaint: in}))
}

// getComplaint shows one complaint to those who may read it, and answers
// "not found" to everyone else.
func getComplaint(c *fiber.Ctx) error {
	return byID(asCaller(supervision.Complaint), complaintOut(realmOf(c).Clock()))(c)
}

// trackComplaint shows an anonymous complaint to whoever holds its tracking code.
func trackComplaint(c *fiber.Ctx) error {
	v, err := supervision.Tracked(c.UserContext(), realmOf(c), c.Params("code"))
	return answer(c, fiber.StatusOK, complaintOut(realmOf(c).Clock()))(v, err)
}

// listComplaints pages through the complaints the caller may read, narrowed
// by ?scope=, ?state=, ?overdue=true, ?mine=true and ?public=true.
func listComplaints(c *fiber.Ctx) error {
	now := realmOf(c).Clock()
	return listOf(func(c *fiber.Ctx, q *query) supervision.ComplaintQuery {
		return supervision.ComplaintQuery{Scope: c.Query("scope"), State: partnership.ComplaintState(c.Query("state")), After: q.after, Limit: q.limit,
			OverdueAt: q.overdue(now), Public: q.flag("public"), Mine: q.flag("mine")}
	}, asCaller(supervision.Complaints), func(v supervision.ComplaintView) int64 { return v.ID }, complaintOut(now))(c)
}

// requireOnComplaint allows a move of the complaint named in the path only to
// the roles that may make it there, as supervision.MayMove decides:
// escalated complaints are the ombudsman's, and a resident escalates only
// their own complaint.
func requireOnComplaint(p policies.Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		id, err := idParam(c)
		if err != nil {
			return err
		}
		cp, err := store.GetComplaint(c.UserContext(), rr.db, id)
		if err != nil {
			return err
		}
		d, err := supervision.MayMove(realmOf(c), actorOf(c), cp, p)
		if err != nil {
			return rr.refused(err, err)
		}
		rr.decision = d
		return c.Next()
	}
}

// moveComplaint receives, investigates, resolves or escalates a complaint.
func moveComplaint(to partnership.ComplaintState) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return takeOnWith(optionalBody, fiber.StatusOK, func(in complaintStepIn) supervision.ComplaintMove { return supervision.ComplaintMove(in) },
			toward(supervision.MoveComplaint, to), complaintOut(realmOf(c).Clock()))(c)
	}
}

// requireSomewhere allows a request to go on when the caller holds the
// permission at some scope: a list or a form shows only what lies beneath
// those scopes.
func requireSomewhere(p policies.Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		scopes, err := supervision.ScopesHolding(realmOf(c), actorOf(c), p)
		if err != nil {
			return err
		}
		if len(scopes) == 0 {
			return rr.refused(fmt.Errorf("%w: sign in to use %s", partnership.ErrUnauthenticated, p),
				fmt.Errorf("%w: none of your roles may use %s anywhere", partnership.ErrForbidden, p))
		}
		return c.Next()
	}
}

// overdue is the time as of which ?overdue=true keeps what is overdue; the
// zero time keeps everything.
func (q *query) overdue(now time.Time) time.Time {
	if q.flag("overdue") {
		return now
	}
	return time.Time{}
}
