package web

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// Supervision over HTTP: internal supervisors' findings and residents'
// complaints. Findings are internal: only holders of finding:read see them,
// each where their grants reach. Complaints are read by those who may read
// complaints where the complaint is, by its filer, and — when the filer made
// it public — by everyone; anyone else is told it does not exist. Every move
// is audited; a complaint's entries are public exactly when the complaint is,
// and they carry neither the complaint's texts nor who filed it beyond the
// acting account's id.

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

func findingOut(f *partnership.Finding, now time.Time) findingJSON {
	return findingJSON{
		ID: f.ID, Scope: f.Scope, ObjectType: f.ObjectType, ObjectID: f.ObjectID, Title: f.Title, Detail: f.Detail,
		State: f.State, RecordedBy: f.RecordedBy, RecordedAt: f.RecordedAt, DueAt: f.DueAt, Overdue: f.Overdue(now),
		Response: f.Response, RespondedBy: f.RespondedBy, RespondedAt: timeOrNil(f.RespondedAt),
		ReopenReason: f.ReopenReason, ClosedAt: timeOrNil(f.ClosedAt), Version: f.Version,
	}
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// findingImage is what the audit log keeps of a finding before and after a move.
func findingImage(f *partnership.Finding) map[string]any {
	m := map[string]any{"state": f.State, "dueAt": f.DueAt, "version": f.Version}
	if f.RespondedBy != 0 {
		m["respondedBy"], m["response"] = f.RespondedBy, f.Response
	}
	if f.ReopenReason != "" {
		m["reopenReason"] = f.ReopenReason
	}
	return m
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
	if err := parseBody(c, &in); err != nil {
		return "", err
	}
	r := regionOf(c).tenant.Region
	if r.ScopeLevel(in.Scope) == "" {
		return "", partnership.Invalid("scope", "%q is not the region, a kecamatan, a ward or an institution of %s", in.Scope, r.Name)
	}
	return in.Scope, nil
}

var findingScope = objectScope(store.GetFinding, func(f *partnership.Finding) string { return f.Scope })

// recordFinding records an internal supervisor's finding.
func recordFinding(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.NewFinding
		if err := parseBody(c, &in); err != nil {
			return err
		}
		by, err := signedInAccount(c)
		if err != nil {
			return err
		}
		now := o.now()
		f, err := rr.tenant.Region.Finding(in, by, now)
		if err != nil {
			return err
		}
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if err := store.InsertFinding(ctx, tx, f); err != nil {
				return record{}, err
			}
			after := findingImage(f)
			after["scope"], after["title"], after["objectType"], after["objectId"] = f.Scope, f.Title, f.ObjectType, f.ObjectID
			return record{Action: string(policies.FindingRecord), ObjectType: "finding", ObjectID: strconv.FormatInt(f.ID, 10), After: after}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(findingOut(f, now))
	}
}

func getFinding(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		f, err := store.GetFinding(c.UserContext(), regionOf(c).db, id)
		if err != nil {
			return err
		}
		return c.JSON(findingOut(f, o.now()))
	}
}

// listFindings pages through the findings the caller may read, narrowed by
// ?scope=, ?state= and ?overdue=true.
func listFindings(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		after, limit, err := pageParams(c)
		if err != nil {
			return err
		}
		// Fail closed: without the scopes of requireSomewhere, an empty
		// filter would list every finding of the region.
		readable, _ := c.Locals(localHeldAt).([]string)
		if len(readable) == 0 {
			return fmt.Errorf("%w: no scope where you may use %s", partnership.ErrForbidden, policies.FindingRead)
		}
		under := readable
		if s := c.Query("scope"); s != "" {
			if rr.tenant.Region.ScopeLevel(s) == "" {
				return partnership.Invalid("scope", "%q is not a place of %s", s, rr.tenant.Region.Name)
			}
			if under = narrowScopes(readable, s); len(under) == 0 {
				return c.JSON(page[findingJSON]{Items: []findingJSON{}})
			}
		}
		now := o.now()
		f := store.FindingFilter{Under: under, AfterID: after, Limit: limit}
		if s := c.Query("state"); s != "" {
			if f.State = partnership.FindingState(s); !slices.Contains(partnership.FindingMachine.States(), f.State) {
				return partnership.Invalid("state", "one of %v", partnership.FindingMachine.States())
			}
		}
		if overdue, err := boolQuery(c, "overdue"); err != nil {
			return err
		} else if overdue {
			f.OverdueAt = now
		}
		fs, err := store.ListFindings(c.UserContext(), rr.db, f)
		if err != nil {
			return err
		}
		out := page[findingJSON]{Items: make([]findingJSON, len(fs))}
		for i, x := range fs {
			out.Items[i] = findingOut(x, now)
		}
		if len(fs) == limit {
			out.Next = &fs[len(fs)-1].ID
		}
		return c.JSON(out)
	}
}

// respondFinding answers a finding, for the office or institution where it was made.
func respondFinding(o Options) fiber.Handler {
	return moveFinding(o, policies.FindingRespond, partnership.FindingResponded)
}

// closeFinding accepts the answer to a finding.
func closeFinding(o Options) fiber.Handler {
	return moveFinding(o, policies.FindingRecord, partnership.FindingClosed)
}

// reopenFinding rejects the answer to a finding, with a reason.
func reopenFinding(o Options) fiber.Handler {
	return moveFinding(o, policies.FindingRecord, partnership.FindingOpen)
}

// moveFinding answers a finding (respond), accepts the answer (close) or
// rejects it (reopen), exercising perm.
func moveFinding(o Options, perm policies.Permission, to partnership.FindingState) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in findingStepIn
		if len(c.Body()) > 0 {
			if err := parseBody(c, &in); err != nil {
				return err
			}
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		by, err := signedInAccount(c)
		if err != nil {
			return err
		}
		now := o.now()
		var f *partnership.Finding
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			var err error
			if f, err = store.GetFinding(ctx, tx, id); err != nil {
				return record{}, err
			}
			from, before := f.State, findingImage(f)
			switch to {
			case partnership.FindingResponded:
				err = f.Respond(in.Response, by, now)
			case partnership.FindingClosed:
				err = f.Close(by, now)
			case partnership.FindingOpen:
				err = f.Reopen(rr.tenant.Region, in.Reason, in.DueAt, by, now)
			}
			if err != nil {
				return record{}, err
			}
			if err := store.UpdateFinding(ctx, tx, f, from); err != nil {
				return record{}, err
			}
			return record{Action: string(perm), ObjectType: "finding", ObjectID: strconv.FormatInt(id, 10), Before: before, After: findingImage(f)}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(findingOut(f, now))
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

// complaintOut shows a complaint; who filed it only to a handler (filer true).
func complaintOut(cp *partnership.Complaint, viewer int64, filer bool, now time.Time) complaintJSON {
	out := complaintJSON{
		ID: cp.ID, Scope: cp.Scope, Ward: cp.WardCode, Subject: cp.Subject, Body: cp.Body, Public: cp.Public,
		Anonymous: cp.Anonymous(), Own: !cp.Anonymous() && viewer == cp.AccountID, State: cp.State,
		FiledAt: cp.FiledAt, DueAt: cp.DueAt, Overdue: cp.Overdue(now), ReceivedAt: timeOrNil(cp.ReceivedAt),
		EscalatedAt: timeOrNil(cp.EscalatedAt), EscalationReason: cp.EscalationReason, Ombudsman: cp.Ombudsman,
		ResolvedAt: timeOrNil(cp.ResolvedAt), Resolution: cp.Resolution, Version: cp.Version,
	}
	if filer || out.Own {
		out.FiledBy = cp.AccountID
	}
	if d, ok := cp.ResolutionTime(); ok {
		out.ResolutionTime, out.ResolutionSeconds = d.String(), int64(d/time.Second)
	}
	return out
}

// complaintImage is what the audit log keeps of a complaint before and after
// a move: its state and dates, never its texts or its filer.
func complaintImage(cp *partnership.Complaint) map[string]any {
	m := map[string]any{"state": cp.State, "dueAt": cp.DueAt, "ombudsman": cp.Ombudsman, "version": cp.Version}
	for k, t := range map[string]time.Time{"receivedAt": cp.ReceivedAt, "escalatedAt": cp.EscalatedAt, "resolvedAt": cp.ResolvedAt} {
		if !t.IsZero() {
			m[k] = t
		}
	}
	return m
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
func fileComplaint(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in partnership.NewComplaint
		if err := parseBody(c, &in); err != nil {
			return err
		}
		var by int64
		if a := rr.principal.Account; a != nil {
			by = a.ID
		}
		now := o.now()
		cp, err := rr.tenant.Region.Complaint(in, by, now)
		if err != nil {
			return err
		}
		var code string
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			var err error
			if code, err = store.InsertComplaint(ctx, tx, cp); err != nil {
				return record{}, err
			}
			after := complaintImage(cp)
			after["scope"], after["public"], after["anonymous"] = cp.Scope, cp.Public, cp.Anonymous()
			return record{Action: string(policies.ComplaintFile), ObjectType: "complaint", ObjectID: strconv.FormatInt(cp.ID, 10), After: after, Public: cp.Public}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(filedComplaintJSON{complaintOut(cp, by, false, now), code})
	}
}

// complaintReader is who reads complaints: where they may read them all, and their account.
func complaintReader(c *fiber.Ctx) (store.ComplaintReader, error) {
	rr := regionOf(c)
	scopes, err := scopesHolding(c, policies.ComplaintRead)
	if err != nil {
		return store.ComplaintReader{}, err
	}
	r := store.ComplaintReader{Scopes: scopes}
	if a := rr.principal.Account; a != nil {
		r.AccountID = a.ID
	}
	return r, nil
}

// getComplaint shows one complaint to those who may read it, and answers
// "not found" to everyone else.
func getComplaint(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		cp, err := store.GetComplaint(c.UserContext(), regionOf(c).db, id)
		if err != nil {
			return err
		}
		reader, err := complaintReader(c)
		if err != nil {
			return err
		}
		handler := slices.ContainsFunc(reader.Scopes, func(s string) bool { return partnership.Covers(s, cp.Scope) })
		own := !cp.Anonymous() && reader.AccountID == cp.AccountID
		if !handler && !own && !cp.Public {
			return fmt.Errorf("%w: no complaint %d", partnership.ErrNotFound, id)
		}
		return c.JSON(complaintOut(cp, reader.AccountID, handler, o.now()))
	}
}

// trackComplaint shows an anonymous complaint to whoever holds its tracking code.
func trackComplaint(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		cp, err := store.ComplaintByTrackingCode(c.UserContext(), regionOf(c).db, c.Params("code"))
		if err != nil {
			return err
		}
		return c.JSON(complaintOut(cp, 0, false, o.now()))
	}
}

// listComplaints pages through the complaints the caller may read, narrowed
// by ?scope=, ?state=, ?overdue=true, ?mine=true and ?public=true.
func listComplaints(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		after, limit, err := pageParams(c)
		if err != nil {
			return err
		}
		reader, err := complaintReader(c)
		if err != nil {
			return err
		}
		now := o.now()
		f := store.ComplaintFilter{Reader: &reader, AfterID: after, Limit: limit}
		if s := c.Query("scope"); s != "" {
			if rr.tenant.Region.ScopeLevel(s) == "" {
				return partnership.Invalid("scope", "%q is not a place of %s", s, rr.tenant.Region.Name)
			}
			f.Under = []string{s}
		}
		if s := c.Query("state"); s != "" {
			if f.State = partnership.ComplaintState(s); !slices.Contains(partnership.ComplaintMachine.States(), f.State) {
				return partnership.Invalid("state", "one of %v", partnership.ComplaintMachine.States())
			}
		}
		overdue, err := boolQuery(c, "overdue")
		if err != nil {
			return err
		}
		if overdue {
			f.OverdueAt = now
		}
		if f.PublicOnly, err = boolQuery(c, "public"); err != nil {
			return err
		}
		mine, err := boolQuery(c, "mine")
		if err != nil {
			return err
		}
		if mine {
			if reader.AccountID == 0 {
				return fmt.Errorf("%w: sign in to list your own complaints", partnership.ErrUnauthenticated)
			}
			f.AccountID = reader.AccountID
		}
		cs, err := store.ListComplaints(c.UserContext(), rr.db, f)
		if err != nil {
			return err
		}
		out := page[complaintJSON]{Items: make([]complaintJSON, len(cs))}
		for i, cp := range cs {
			handler := slices.ContainsFunc(reader.Scopes, func(s string) bool { return partnership.Covers(s, cp.Scope) })
			out.Items[i] = complaintOut(cp, reader.AccountID, handler, now)
		}
		if len(cs) == limit {
			out.Next = &cs[len(cs)-1].ID
		}
		return c.JSON(out)
	}
}

// requireOnComplaint allows a move of the complaint named in the path only to
// the roles that may make it there. Escalated complaints are the ombudsman's:
// only ombudsman grants handle them, and only other grants handle the rest.
// A resident escalates only their own complaint: for anyone but the filer,
// resident grants do not count.
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
		filer := rr.principal.Account != nil && !cp.Anonymous() && rr.principal.Account.ID == cp.AccountID
		eligible := func(g authz.Grant) bool {
			switch {
			case p == policies.ComplaintEscalate:
				return filer || g.Role != policies.Resident
			case cp.Ombudsman:
				return g.Role == policies.Ombudsman
			default:
				return g.Role != policies.Ombudsman
			}
		}
		acting := authz.Principal{Account: rr.principal.Account}
		for _, g := range rr.principal.Grants {
			if eligible(g) {
				acting.Grants = append(acting.Grants, g)
			}
		}
		e, err := rr.enforcer()
		if err != nil {
			return err
		}
		d, err := authz.Authorize(e, acting, p, cp.Scope)
		if err != nil {
			return err
		}
		if !d.Allowed {
			if rr.principal.Anonymous() {
				if rr.authErr != nil {
					return rr.authErr
				}
				return fmt.Errorf("%w: sign in to use %s", partnership.ErrUnauthenticated, p)
			}
			why := fmt.Sprintf("none of your roles may use %s at %s", p, cp.Scope)
			switch {
			case p == policies.ComplaintEscalate:
				why += " (residents escalate only their own complaints)"
			case cp.Ombudsman:
				why += " (complaint " + strconv.FormatInt(id, 10) + " is escalated: the ombudsman handles it)"
			}
			return fmt.Errorf("%w: %s", partnership.ErrForbidden, why)
		}
		rr.decision = d
		return c.Next()
	}
}

// receiveComplaint acknowledges a filed complaint.
func receiveComplaint(o Options) fiber.Handler {
	return moveComplaint(o, policies.ComplaintHandle, partnership.ComplaintReceived)
}

// investigateComplaint starts investigating a received or escalated complaint.
func investigateComplaint(o Options) fiber.Handler {
	return moveComplaint(o, policies.ComplaintHandle, partnership.ComplaintInvestigating)
}

// resolveComplaint resolves a complaint with a resolution text.
func resolveComplaint(o Options) fiber.Handler {
	return moveComplaint(o, policies.ComplaintHandle, partnership.ComplaintResolved)
}

// escalateComplaint hands a complaint to the ombudsman, with a reason.
func escalateComplaint(o Options) fiber.Handler {
	return moveComplaint(o, policies.ComplaintEscalate, partnership.ComplaintEscalated)
}

// moveComplaint receives, investigates, resolves or escalates a complaint.
func moveComplaint(o Options, perm policies.Permission, to partnership.ComplaintState) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in complaintStepIn
		if len(c.Body()) > 0 {
			if err := parseBody(c, &in); err != nil {
				return err
			}
		}
		id, err := idParam(c)
		if err != nil {
			return err
		}
		by, err := signedInAccount(c)
		if err != nil {
			return err
		}
		now := o.now()
		var cp *partnership.Complaint
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			var err error
			if cp, err = store.GetComplaint(ctx, tx, id); err != nil {
				return record{}, err
			}
			from, before := cp.State, complaintImage(cp)
			switch to {
			case partnership.ComplaintReceived:
				err = cp.Receive(by, now)
			case partnership.ComplaintInvestigating:
				err = cp.Investigate(by, now)
			case partnership.ComplaintResolved:
				err = cp.Resolve(in.Resolution, by, now)
			case partnership.ComplaintEscalated:
				err = cp.Escalate(in.Reason, now)
			}
			if err != nil {
				return record{}, err
			}
			if err := store.UpdateComplaint(ctx, tx, cp, from); err != nil {
				return record{}, err
			}
			return record{Action: string(perm), ObjectType: "complaint", ObjectID: strconv.FormatInt(id, 10), Before: before, After: complaintImage(cp), Public: cp.Public}, nil
		})
		if err != nil {
			return err
		}
		handler := rr.decision.Grant != nil && rr.decision.Role != policies.Resident
		return c.JSON(complaintOut(cp, by, handler, now))
	}
}

// --- where a caller holds a permission ---

// localHeldAt keeps the scopes requireSomewhere found, for the handler.
const localHeldAt = "supervision.heldAt"

// scopesHolding lists the scopes at which the caller may use the permission:
// the region's root when everyone may, else the scopes of the caller's grants
// whose role the region's policy allows it.
func scopesHolding(c *fiber.Ctx, p policies.Permission) ([]string, error) {
	rr := regionOf(c)
	e, err := rr.enforcer()
	if err != nil {
		return nil, err
	}
	if ok, err := policies.Allowed(e, policies.Public, p); err != nil {
		return nil, err
	} else if ok {
		return []string{rr.root}, nil
	}
	var out []string
	for _, g := range rr.principal.Grants {
		ok, err := policies.Allowed(e, g.Role, p)
		if err != nil {
			return nil, err
		}
		if ok && !slices.Contains(out, g.Scope) {
			out = append(out, g.Scope)
		}
	}
	return out, nil
}

// requireSomewhere allows a list to go on when the caller holds the
// permission at some scope, and hands the handler those scopes: a list shows
// only what lies beneath them.
func requireSomewhere(p policies.Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		scopes, err := scopesHolding(c, p)
		if err != nil {
			return err
		}
		if len(scopes) == 0 {
			if rr.principal.Anonymous() {
				if rr.authErr != nil {
					return rr.authErr
				}
				return fmt.Errorf("%w: sign in to use %s", partnership.ErrUnauthenticated, p)
			}
			return fmt.Errorf("%w: none of your roles may use %s anywhere", partnership.ErrForbidden, p)
		}
		c.Locals(localHeldAt, scopes)
		return c.Next()
	}
}

// narrowScopes is the part of the scopes beneath scope: scope itself when one
// of them covers it, else those of them it covers.
func narrowScopes(scopes []string, scope string) []string {
	var out []string
	for _, s := range scopes {
		if partnership.Covers(s, scope) {
			return []string{scope}
		}
		if partnership.Covers(scope, s) {
			out = append(out, s)
		}
	}
	return out
}

// signedInAccount is the caller's account id; the moves of supervision are
// made by accounts, whatever a region's policy allows the public.
func signedInAccount(c *fiber.Ctx) (int64, error) {
	a := regionOf(c).principal.Account
	if a == nil {
		return 0, fmt.Errorf("%w: sign in first", partnership.ErrUnauthenticated)
	}
	return a.ID, nil
}

// boolQuery reads an optional true/false query parameter.
func boolQuery(c *fiber.Ctx, name string) (bool, error) {
	s := c.Query(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, partnership.Invalid(name, "true or false")
	}
	return b, nil
}
