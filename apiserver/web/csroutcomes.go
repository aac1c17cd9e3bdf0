package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
	"pilar.id/pilar/policies"
)

// What comes of the four-pillar workflow over HTTP: partners' realisation
// reports, the obligations flagged overdue, sanctions and each partner's
// standing, the forum's quarterly evaluations, awards, and the public
// dashboard of the region and of the nation. Each handler parses, lets the
// domain decide, stores and audits in one transaction, and answers.

// The store's records that the API returns as they are.
type (
	overdueJSON    = store.OverdueRecord
	evaluationJSON = store.EvaluationRecord
)

// --- realisations ---

type evidenceJSON struct {
	N           int       `json:"n"`
	Name        string    `json:"name"`
	ContentType string    `json:"contentType"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedAt  time.Time `json:"uploadedAt"`
	URL         string    `json:"url"`
}

type realisationJSON struct {
	ID             int64              `json:"id"`
	Partner        int64              `json:"partner"`
	PartnerName    string             `json:"partnerName,omitempty"`
	Programme      int64              `json:"programme,omitempty"`
	FiscalYear     int                `json:"fiscalYear"`
	Area           string             `json:"area"`
	Ward           string             `json:"ward,omitempty"`
	ActivityStart  time.Time          `json:"activityStart"`
	ActivityEnd    time.Time          `json:"activityEnd"`
	DueAt          time.Time          `json:"dueAt"`
	SubmittedAt    time.Time          `json:"submittedAt"`
	Amount         partnership.Rupiah `json:"amount"`
	SourceOfFunds  string             `json:"sourceOfFunds"`
	Outputs        string             `json:"outputs"`
	TargetsReached string             `json:"targetsReached"`
	Late           bool               `json:"late"`
	Historical     bool               `json:"historical"`
	Evidence       []evidenceJSON     `json:"evidence"`
}

func realisationOut(c *fiber.Ctx, r *partnership.Realisation, name string) realisationJSON {
	out := realisationJSON{ID: r.ID, Partner: r.PartnerID, PartnerName: name, Programme: r.ProgrammeID, FiscalYear: r.FiscalYear, Area: r.Area,
		Ward: r.WardCode, ActivityStart: r.ActivityStart, ActivityEnd: r.ActivityEnd, DueAt: r.DueAt, SubmittedAt: r.SubmittedAt,
		Amount: r.Amount, SourceOfFunds: r.SourceOfFunds, Outputs: r.Outputs, TargetsReached: r.TargetsReached, Late: r.Late,
		Historical: r.Historical, Evidence: []evidenceJSON{}}
	for _, a := range r.Evidence {
		out.Evidence = append(out.Evidence, evidenceJSON{N: a.N, Name: a.Name, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256,
			UploadedAt: a.UploadedAt, URL: fmt.Sprintf("%s/api/realisations/%d/evidence/%d", regionOf(c).base, r.ID, a.N)})
	}
	return out
}

func realisationImage(r *partnership.Realisation) map[string]any {
	return map[string]any{"partner": r.PartnerID, "programme": r.ProgrammeID, "fiscalYear": r.FiscalYear, "area": r.Area,
		"amount": r.Amount, "dueAt": r.DueAt, "late": r.Late, "evidence": len(r.Evidence)}
}

// evidenceIn is a file of evidence sent in JSON, its content in base64.
type evidenceIn struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// realisationIn is a realisation report as JSON, with its evidence inline
// (it documents the request; parseRealisation reads it).
type realisationIn struct {
	partnership.RealisationInput
	Evidence []evidenceIn `json:"evidence,omitempty"`
}

// parseRealisation reads a realisation report from a multipart form — its
// fields, and its files under "evidence" — or from JSON with the files in
// base64. A file is read no further than one byte beyond the limit: enough
// for the domain to refuse it with its size.
func parseRealisation(c *fiber.Ctx) (partnership.RealisationInput, []partnership.Upload, error) {
	var in partnership.RealisationInput
	if !strings.HasPrefix(strings.ToLower(string(c.Request().Header.ContentType())), fiber.MIMEMultipartForm) {
		if err := parseBody(c, &in); err != nil {
			return in, nil, err
		}
		// The fields are read above, so that a refusal names the field
		// itself; the evidence, from JSON only, here.
		var ev struct {
			Evidence []evidenceIn `json:"evidence"`
		}
		if strings.HasPrefix(strings.ToLower(string(c.Request().Header.ContentType())), fiber.MIMEApplicationJSON) {
			if err := json.Unmarshal(c.Body(), &ev); err != nil {
				return in, nil, partnership.Invalid("evidence", "a list of files, each {\"name\", \"data\"} with the data in base64")
			}
		}
		files := make([]partnership.Upload, len(ev.Evidence))
		for i, e := range ev.Evidence {
			files[i] = partnership.Upload{Name: e.Name, Size: int64(len(e.Data)), Data: e.Data}
		}
		return in, files, nil
	}
	files, err := multipartUploads(c, "evidence", &in)
	return in, files, err
}

// submitRealisation stores a partner's realisation report on one of its own
// programmes, with its evidence, in one transaction with its audit entry.
func submitRealisation(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		in, files, err := parseRealisation(c)
		if err != nil {
			return err
		}
		if in.Programme <= 0 {
			return partnership.Invalid("programme", "the id of the programme reported on")
		}
		var rz *partnership.Realisation
		var name string
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			p, err := store.GetProgramme(ctx, tx, in.Programme)
			if errors.Is(err, partnership.ErrNotFound) {
				return record{}, partnership.Invalid("programme", "no programme %d", in.Programme)
			}
			if err != nil {
				return record{}, err
			}
			var partner int64
			if p.PartnerID != 0 {
				ok, err := store.ActsFor(ctx, tx, accountID(c), p.PartnerID)
				if err != nil {
					return record{}, err
				}
				if ok {
					partner = p.PartnerID
				}
			}
			if rz, err = rr.tenant.Region.Realisation(p, partner, in, files, accountID(c), o.now()); err != nil {
				return record{}, err
			}
			if err := store.InsertRealisation(ctx, tx, rz); err != nil {
				return record{}, err
			}
			names, err := store.PartnerNames(ctx, tx, []int64{rz.PartnerID})
			if err != nil {
				return record{}, err
			}
			name = names[rz.PartnerID]
			return record{Action: string(policies.RealisationSubmit), ObjectType: "realisation", ObjectID: strconv.FormatInt(rz.ID, 10),
				After: realisationImage(rz), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(realisationOut(c, rz, name))
	}
}

func listRealisations(c *fiber.Ctx) error {
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	f := store.RealisationFilter{AfterID: after, Limit: limit + 1, Area: c.Query("area")}
	if f.PartnerID, err = intQueryParam(c, "partner"); err != nil {
		return err
	}
	if f.ProgrammeID, err = intQueryParam(c, "programme"); err != nil {
		return err
	}
	year, err := intQueryParam(c, "year")
	if err != nil {
		return err
	}
	f.FiscalYear = int(year)
	ctx, db := c.UserContext(), regionOf(c).db
	rs, err := store.ListRealisations(ctx, db, f)
	if err != nil {
		return err
	}
	out := page[realisationJSON]{Items: []realisationJSON{}}
	if len(rs) > limit {
		rs = rs[:limit]
		next := rs[limit-1].ID
		out.Next = &next
	}
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.PartnerID
	}
	names, err := store.PartnerNames(ctx, db, ids)
	if err != nil {
		return err
	}
	for _, r := range rs {
		out.Items = append(out.Items, realisationOut(c, r, names[r.PartnerID]))
	}
	return c.JSON(out)
}

func getRealisation(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx, db := c.UserContext(), regionOf(c).db
	r, err := store.GetRealisation(ctx, db, id)
	if err != nil {
		return err
	}
	names, err := store.PartnerNames(ctx, db, []int64{r.PartnerID})
	if err != nil {
		return err
	}
	return c.JSON(realisationOut(c, r, names[r.PartnerID]))
}

// getEvidence sends a realisation's evidence, as a download, to the partner
// that reported it and to the forum secretariat: receipts and photographs may
// show people, so the report is public and its files are not.
func getEvidence(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	n, err := c.ParamsInt("n")
	if err != nil || n < 1 {
		return partnership.Invalid("n", "the evidence's position, from 1")
	}
	ctx, db := c.UserContext(), regionOf(c).db
	r, err := store.GetRealisation(ctx, db, id)
	if err != nil {
		return err
	}
	allowed := partnerStaff(c)
	if !allowed {
		if allowed, err = store.ActsFor(ctx, db, accountID(c), r.PartnerID); err != nil {
			return err
		}
	}
	if !allowed {
		return fmt.Errorf("%w: the evidence of realisation %d is for its partner and the forum secretariat", partnership.ErrForbidden, id)
	}
	d, err := store.RealisationEvidence(ctx, db, id, n)
	if err != nil {
		return err
	}
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": d.Name})
	if disposition == "" {
		disposition = fmt.Sprintf("attachment; filename=realisation-%d-%d", id, n)
	}
	c.Set(fiber.HeaderContentType, d.ContentType)
	c.Set(fiber.HeaderContentDisposition, disposition)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; sandbox")
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	return c.Send(d.Data)
}

// listOverdue lists the obligations the schedule flagged: open ones by
// default, all with ?all=true, of one partner with ?partner=.
func listOverdue(c *fiber.Ctx) error {
	partner, err := intQueryParam(c, "partner")
	if err != nil {
		return err
	}
	rows, err := store.ListOverdue(c.UserContext(), regionOf(c).db, store.OverdueFilter{PartnerID: partner, Open: c.Query("all") != "true"})
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []store.OverdueRecord{}
	}
	return c.JSON(page[store.OverdueRecord]{Items: rows})
}

// --- sanctions and standing ---

type sanctionJSON struct {
	ID            int64                     `json:"id"`
	Partner       int64                     `json:"partner"`
	PartnerName   string                    `json:"partnerName,omitempty"`
	Step          string                    `json:"step"`
	Reason        string                    `json:"reason"`
	LegalBasis    string                    `json:"legalBasis,omitempty"`
	State         partnership.SanctionState `json:"state"`
	RecommendedBy string                    `json:"recommendedBy"`
	RecommendedAt time.Time                 `json:"recommendedAt"`
	IssuedAt      *time.Time                `json:"issuedAt,omitempty"`
	NotifiedAt    *time.Time                `json:"notifiedAt,omitempty"`
	LiftedAt      *time.Time                `json:"liftedAt,omitempty"`
	DismissedAt   *time.Time                `json:"dismissedAt,omitempty"`
	Resolution    string                    `json:"resolution,omitempty"`
	Version       int                       `json:"version"`
}

func sanctionOut(s *partnership.Sanction, name string) sanctionJSON {
	return sanctionJSON{ID: s.ID, Partner: s.PartnerID, PartnerName: name, Step: s.Step, Reason: s.Reason, LegalBasis: s.LegalBasis, State: s.State,
		RecommendedBy: s.RecommendedBy, RecommendedAt: s.RecommendedAt, IssuedAt: timeOrNil(s.IssuedAt), NotifiedAt: timeOrNil(s.NotifiedAt),
		LiftedAt: timeOrNil(s.LiftedAt), DismissedAt: timeOrNil(s.DismissedAt), Resolution: s.Resolution, Version: s.Version}
}

func sanctionImage(s *partnership.Sanction) map[string]any {
	return map[string]any{"partner": s.PartnerID, "step": s.Step, "state": s.State, "legalBasis": s.LegalBasis, "resolution": s.Resolution, "version": s.Version}
}

func sanctionsOut(ctx context.Context, db bun.IDB, ss []partnership.Sanction) (page[sanctionJSON], error) {
	out := page[sanctionJSON]{Items: []sanctionJSON{}}
	ids := make([]int64, len(ss))
	for i, s := range ss {
		ids[i] = s.PartnerID
	}
	names, err := store.PartnerNames(ctx, db, ids)
	if err != nil {
		return out, err
	}
	for i := range ss {
		out.Items = append(out.Items, sanctionOut(&ss[i], names[ss[i].PartnerID]))
	}
	return out, nil
}

var sanctionStates = []partnership.SanctionState{partnership.SanctionRecommended, partnership.SanctionIssued, partnership.SanctionLifted, partnership.SanctionDismissed}

// listSanctions lists sanctions, public like the forum's decisions: what was
// recommended, issued, lifted or dismissed, and why.
func listSanctions(c *fiber.Ctx) error {
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	f := store.SanctionFilter{AfterID: after, Limit: limit, State: partnership.SanctionState(c.Query("state"))}
	if f.State != "" && !containsState(sanctionStates, f.State) {
		return partnership.Invalid("state", "recommended, issued, lifted or dismissed")
	}
	partner, err := intQueryParam(c, "partner")
	if err != nil {
		return err
	}
	if partner != 0 {
		f.PartnerIDs = []int64{partner}
	}
	ctx, db := c.UserContext(), regionOf(c).db
	ss, err := store.ListSanctions(ctx, db, f)
	if err != nil {
		return err
	}
	out, err := sanctionsOut(ctx, db, ss)
	if err != nil {
		return err
	}
	if len(ss) == limit {
		next := ss[len(ss)-1].ID
		out.Next = &next
	}
	return c.JSON(out)
}

func containsState[S comparable](states []S, s S) bool {
	for _, x := range states {
		if x == s {
			return true
		}
	}
	return false
}

// listMySanctions is the notice a partner receives: every sanction on the
// partners the caller's account acts for.
func listMySanctions(c *fiber.Ctx) error {
	ctx, db := c.UserContext(), regionOf(c).db
	ids, err := store.PartnersOf(ctx, db, accountID(c))
	if err != nil {
		return err
	}
	if ids == nil {
		ids = []int64{}
	}
	ss, err := store.ListSanctions(ctx, db, store.SanctionFilter{PartnerIDs: ids})
	if err != nil {
		return err
	}
	out, err := sanctionsOut(ctx, db, ss)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func getSanction(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx, db := c.UserContext(), regionOf(c).db
	s, err := store.GetSanction(ctx, db, id)
	if err != nil {
		return err
	}
	names, err := store.PartnerNames(ctx, db, []int64{s.PartnerID})
	if err != nil {
		return err
	}
	return c.JSON(sanctionOut(s, names[s.PartnerID]))
}

type recommendIn struct {
	Partner int64  `json:"partner" form:"partner"`
	Step    string `json:"step,omitempty" form:"step"` // the next step of the ladder when empty
	Reason  string `json:"reason" form:"reason"`
}

// recommendSanction is the forum secretariat's own recommendation, beside
// those the schedule makes by rule.
func recommendSanction(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in recommendIn
		if err := parseBody(c, &in); err != nil {
			return err
		}
		var s *partnership.Sanction
		var name string
		err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			p, err := store.GetPartner(ctx, tx, in.Partner)
			if errors.Is(err, partnership.ErrNotFound) {
				return record{}, partnership.Invalid("partner", "no partner %d", in.Partner)
			}
			if err != nil {
				return record{}, err
			}
			if p.State != partnership.PartnerApproved {
				return record{}, partnership.Invalid("partner", "partner %d is %s; only approved partners are under the sanction ladder", p.ID, p.State)
			}
			if p.Kind.Stakeholder() != partnership.StakeholderCompany {
				return record{}, partnership.Invalid("partner", "%s is a university; the CSR obligation and its sanctions bind companies", p.Name)
			}
			existing, err := store.SanctionsOf(ctx, tx, p.ID)
			if err != nil {
				return record{}, err
			}
			if s, err = rr.tenant.Region.RecommendSanction(p.ID, existing, in.Step, in.Reason, strconv.FormatInt(accountID(c), 10), o.now()); err != nil {
				return record{}, err
			}
			if err := store.InsertSanction(ctx, tx, s); err != nil {
				return record{}, err
			}
			name = p.Name
			return record{Action: string(policies.SanctionIssue), ObjectType: "sanction", ObjectID: strconv.FormatInt(s.ID, 10),
				After: sanctionImage(s), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(sanctionOut(s, name))
	}
}

type resolutionIn struct {
	Reason string `json:"reason" form:"reason"`
}

// moveSanction issues, dismisses or lifts a sanction. Issuing cites the
// region's regulation on the CSR obligation and notifies the partner.
func moveSanction(o Options, perm policies.Permission, to partnership.SanctionState) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var in resolutionIn
		if len(c.Body()) > 0 {
			if err := parseBody(c, &in); err != nil {
				return err
			}
		}
		var s *partnership.Sanction
		var name string
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if s, err = store.GetSanction(ctx, tx, id); err != nil {
				return record{}, err
			}
			before := sanctionImage(s)
			basis := ""
			if to == partnership.SanctionIssued {
				if basis, err = rr.tenant.Region.SanctionLegalBasis(); err != nil {
					return record{}, err
				}
			}
			if err := s.Move(to, in.Reason, basis, accountID(c), o.now()); err != nil {
				return record{}, err
			}
			if err := store.UpdateSanction(ctx, tx, s); err != nil {
				return record{}, err
			}
			names, err := store.PartnerNames(ctx, tx, []int64{s.PartnerID})
			if err != nil {
				return record{}, err
			}
			name = names[s.PartnerID]
			return record{Action: string(perm), ObjectType: "sanction", ObjectID: strconv.FormatInt(s.ID, 10),
				Before: before, After: sanctionImage(s), Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.JSON(sanctionOut(s, name))
	}
}

type standingJSON struct {
	Partner    int64                      `json:"partner"`
	Name       string                     `json:"name"`
	Kind       string                     `json:"kind"`
	Compliance partnership.Compliance     `json:"compliance"`
	Sanction   *sanctionJSON              `json:"sanction,omitempty"` // the highest in force
	Maturity   partnership.Maturity       `json:"maturity"`
	Record     partnership.MaturityRecord `json:"record"`
}

func standingOut(s store.Standing) standingJSON {
	out := standingJSON{Partner: s.PartnerID, Name: s.Name, Kind: s.Kind, Compliance: s.Compliance, Maturity: s.Maturity, Record: s.Record}
	for _, ys := range []*[]int{&out.Record.PlanYears, &out.Record.AlignedPlanYears, &out.Record.RealisationYears} {
		if *ys == nil {
			*ys = []int{}
		}
	}
	if s.Sanction != nil {
		j := sanctionOut(s.Sanction, s.Name)
		out.Sanction = &j
	}
	return out
}

// listStandings shows every approved partner's compliance state and CSR maturity.
func listStandings(c *fiber.Ctx) error {
	t, db := tenantOf(c)
	st, err := store.Standings(c.UserContext(), db, t.Region, nil)
	if err != nil {
		return err
	}
	out := page[standingJSON]{Items: make([]standingJSON, len(st))}
	for i, s := range st {
		out.Items[i] = standingOut(s)
	}
	return c.JSON(out)
}

func getStanding(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	t, db := tenantOf(c)
	st, err := store.Standings(c.UserContext(), db, t.Region, []int64{id})
	if err != nil {
		return err
	}
	if len(st) == 0 {
		return fmt.Errorf("%w: no partner %d", partnership.ErrNotFound, id)
	}
	return c.JSON(standingOut(st[0]))
}

// --- quarterly evaluations ---

type evaluationIn struct {
	Year    int `json:"year" form:"year"`
	Quarter int `json:"quarter" form:"quarter"`
}

func yearQuarter(c *fiber.Ctx) (int, int, error) {
	year, err := intQueryParam(c, "year")
	if err != nil {
		return 0, 0, err
	}
	quarter, err := intQueryParam(c, "quarter")
	if err != nil {
		return 0, 0, err
	}
	return int(year), int(quarter), nil
}

// previewEvaluation generates a quarter's evaluation without publishing it.
func previewEvaluation(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		t, db := tenantOf(c)
		year, quarter, err := yearQuarter(c)
		if err != nil {
			return err
		}
		if err := t.Region.CheckQuarter(year, quarter, o.now(), false); err != nil {
			return err
		}
		e, err := store.EvaluationOf(c.UserContext(), db, t.Region, year, quarter)
		if err != nil {
			return err
		}
		return c.JSON(e)
	}
}

// publishEvaluation generates a quarter's evaluation from the data and
// publishes it: stored as it stands, never to change, and audited.
func publishEvaluation(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		var in evaluationIn
		if err := parseBody(c, &in); err != nil {
			return err
		}
		now := o.now()
		if err := rr.tenant.Region.CheckQuarter(in.Year, in.Quarter, now, true); err != nil {
			return err
		}
		var rec *store.EvaluationRecord
		err := change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			e, err := store.EvaluationOf(ctx, tx, rr.tenant.Region, in.Year, in.Quarter)
			if err != nil {
				return record{}, err
			}
			snap, err := json.Marshal(e)
			if err != nil {
				return record{}, err
			}
			rec = &store.EvaluationRecord{FiscalYear: in.Year, Quarter: in.Quarter, Snapshot: snap, PublishedBy: accountID(c),
				PublishedAt: now.UTC().Truncate(time.Microsecond)}
			if err := store.InsertEvaluation(ctx, tx, rec); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.EvaluationPublish), ObjectType: "evaluation", ObjectID: strconv.FormatInt(rec.ID, 10),
				After: map[string]any{"year": in.Year, "quarter": in.Quarter, "realised": e.Total.Amount, "overdue": len(e.Overdue),
					"requestsFulfilled": e.Requests.Share}, Public: true}, nil
		})
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(rec)
	}
}

func listEvaluations(c *fiber.Ctx) error {
	year, err := intQueryParam(c, "year")
	if err != nil {
		return err
	}
	es, err := store.ListEvaluations(c.UserContext(), regionOf(c).db, int(year))
	if err != nil {
		return err
	}
	if es == nil {
		es = []store.EvaluationRecord{}
	}
	return c.JSON(page[store.EvaluationRecord]{Items: es})
}

func getEvaluation(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	e, err := store.GetEvaluation(c.UserContext(), regionOf(c).db, id)
	if err != nil {
		return err
	}
	return c.JSON(e)
}

// --- awards ---

type awardJSON struct {
	Cycle           int                           `json:"cycle"`
	Years           [2]int                        `json:"years"`
	Partner         int64                         `json:"partner"`
	PartnerName     string                        `json:"partnerName"`
	Scores          map[string]int64              `json:"scores"`
	Weights         map[string]int                `json:"weights"`
	Total           int64                         `json:"total"` // basis points of the best possible
	TotalPercent    string                        `json:"totalPercent"`
	Adjustments     []partnership.AwardAdjustment `json:"adjustments"`
	Adjusted        int64                         `json:"adjusted"`
	AdjustedPercent string                        `json:"adjustedPercent"`
	State           partnership.AwardState        `json:"state"`
	ScoredAt        time.Time                     `json:"scoredAt"`
	PublishedAt     *time.Time                    `json:"publishedAt,omitempty"`
	Version         int                           `json:"version"`
}

func awardOut(r *partnership.Region, a *partnership.Award, name string) awardJSON {
	out := awardJSON{Cycle: a.Cycle, Years: [2]int{a.Cycle, a.Cycle + max(r.FourPillar.AwardCycleYears, 1) - 1}, Partner: a.PartnerID, PartnerName: name,
		Scores: a.Scores, Weights: r.FourPillar.AwardWeights, Total: a.Total, TotalPercent: partnership.Percent(a.Total),
		Adjustments: a.Adjustments, Adjusted: a.Adjusted(), AdjustedPercent: partnership.Percent(a.Adjusted()), State: a.State,
		ScoredAt: a.ScoredAt, PublishedAt: timeOrNil(a.PublishedAt), Version: a.Version}
	if out.Adjustments == nil {
		out.Adjustments = []partnership.AwardAdjustment{}
	}
	return out
}

func cycleParam(c *fiber.Ctx) (int, error) {
	n, err := c.ParamsInt("cycle")
	if err != nil || n <= 0 {
		return 0, partnership.Invalid("cycle", "the first year of the award cycle")
	}
	return n, nil
}

func awardsOut(ctx context.Context, db bun.IDB, r *partnership.Region, as []*partnership.Award) (page[awardJSON], error) {
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.PartnerID
	}
	names, err := store.PartnerNames(ctx, db, ids)
	if err != nil {
		return page[awardJSON]{}, err
	}
	out := page[awardJSON]{Items: make([]awardJSON, len(as))}
	for i, a := range as {
		out.Items[i] = awardOut(r, a, names[a.PartnerID])
	}
	return out, nil
}

// scoreAwards scores every partner with a record in the cycle's years by the
// region's rules; scores already made are scored again, keeping the forum's
// adjustments, unless published.
func scoreAwards(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		cycle, err := cycleParam(c)
		if err != nil {
			return err
		}
		now := o.now()
		first, last, err := rr.tenant.Region.AwardYears(cycle, now)
		if err != nil {
			return err
		}
		var scored []*partnership.Award
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			records, err := store.AwardRecords(ctx, tx, first, last)
			if err != nil {
				return record{}, err
			}
			fresh, err := rr.tenant.Region.ScoreAwards(cycle, records, now)
			if err != nil {
				return record{}, err
			}
			existing, err := store.Awards(ctx, tx, cycle)
			if err != nil {
				return record{}, err
			}
			have := map[int64]*partnership.Award{}
			for _, a := range existing {
				have[a.PartnerID] = a
			}
			totals := map[string]any{}
			for _, f := range fresh {
				a := f
				if old := have[f.PartnerID]; old != nil {
					if err := old.Rescore(f); err != nil {
						return record{}, err
					}
					a = old
				}
				if err := store.SaveAward(ctx, tx, a); err != nil {
					return record{}, err
				}
				totals[strconv.FormatInt(a.PartnerID, 10)] = a.Adjusted()
			}
			if scored, err = store.Awards(ctx, tx, cycle); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.AwardScore), ObjectType: "award-cycle", ObjectID: strconv.Itoa(cycle),
				After: map[string]any{"years": []int{first, last}, "totals": totals, "state": partnership.AwardScored}, Public: true}, nil
		})
		if err != nil {
			return err
		}
		out, err := awardsOut(c.UserContext(), rr.db, rr.tenant.Region, scored)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

func listAwards(c *fiber.Ctx) error {
	t, db := tenantOf(c)
	cycle, err := cycleParam(c)
	if err != nil {
		return err
	}
	if t.Region.FourPillar == nil {
		return fmt.Errorf("%w: %s does not run the four-pillar model", partnership.ErrNotFound, t.Region.Name)
	}
	as, err := store.Awards(c.UserContext(), db, cycle)
	if err != nil {
		return err
	}
	out, err := awardsOut(c.UserContext(), db, t.Region, as)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

type adjustIn struct {
	Delta  int64  `json:"delta" form:"delta"` // basis points, either way
	Reason string `json:"reason" form:"reason"`
}

// adjustAward records the forum's change to a partner's total, with its reason.
func adjustAward(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		cycle, err := cycleParam(c)
		if err != nil {
			return err
		}
		partner, err := c.ParamsInt("partner")
		if err != nil || partner <= 0 {
			return partnership.Invalid("partner", "a partner's id")
		}
		var in adjustIn
		if err := parseBody(c, &in); err != nil {
			return err
		}
		var a *partnership.Award
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if a, err = store.GetAward(ctx, tx, cycle, int64(partner)); err != nil {
				return record{}, err
			}
			before := map[string]any{"adjusted": a.Adjusted(), "version": a.Version}
			if err := a.Adjust(in.Delta, in.Reason, accountID(c), o.now()); err != nil {
				return record{}, err
			}
			if err := store.SaveAward(ctx, tx, a); err != nil {
				return record{}, err
			}
			return record{Action: string(policies.AwardAdjust), ObjectType: "award", ObjectID: fmt.Sprintf("%d/%d", cycle, partner), Before: before,
				After: map[string]any{"adjusted": a.Adjusted(), "delta": in.Delta, "reason": strings.TrimSpace(in.Reason), "version": a.Version}, Public: true}, nil
		})
		if err != nil {
			return err
		}
		names, err := store.PartnerNames(c.UserContext(), rr.db, []int64{a.PartnerID})
		if err != nil {
			return err
		}
		return c.JSON(awardOut(rr.tenant.Region, a, names[a.PartnerID]))
	}
}

// publishAwards makes every score of a cycle final and public.
func publishAwards(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		cycle, err := cycleParam(c)
		if err != nil {
			return err
		}
		var as []*partnership.Award
		err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
			if as, err = store.Awards(ctx, tx, cycle); err != nil {
				return record{}, err
			}
			if len(as) == 0 {
				return record{}, fmt.Errorf("%w: nobody is scored for the cycle of %d; score it first", partnership.ErrConflict, cycle)
			}
			totals := map[string]any{}
			for _, a := range as {
				if err := a.Publish(o.now()); err != nil {
					return record{}, err
				}
				if err := store.SaveAward(ctx, tx, a); err != nil {
					return record{}, err
				}
				totals[strconv.FormatInt(a.PartnerID, 10)] = a.Adjusted()
			}
			return record{Action: string(policies.AwardScore), ObjectType: "award-cycle", ObjectID: strconv.Itoa(cycle),
				After: map[string]any{"totals": totals, "state": partnership.AwardPublished}, Public: true}, nil
		})
		if err != nil {
			return err
		}
		out, err := awardsOut(c.UserContext(), rr.db, rr.tenant.Region, as)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// --- the public dashboard ---

// csrDashboardYear is the year asked for, the current one by default.
func csrDashboardYear(c *fiber.Ctx, loc *time.Location, now time.Time) (int, error) {
	s := c.Query("year")
	if s == "" {
		return now.In(loc).Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, partnership.Invalid("year", "a year, e.g. 2015")
	}
	return y, nil
}

func regionDashboard(c *fiber.Ctx, o Options) (partnership.Dashboard, error) {
	t, db := tenantOf(c)
	now := o.now()
	year, err := csrDashboardYear(c, t.Region.Location, now)
	if err != nil {
		return partnership.Dashboard{}, err
	}
	if err := t.Region.CheckDashboardYear(year, now); err != nil {
		return partnership.Dashboard{}, err
	}
	return store.DashboardOf(c.UserContext(), db, t.Region, year)
}

// getDashboard is the region's public dashboard for a year, as JSON.
func getDashboard(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		d, err := regionDashboard(c, o)
		if err != nil {
			return err
		}
		return c.JSON(d)
	}
}

// dashboardHeader is the first line of the dashboard's CSV.
var dashboardHeader = []string{"year", "area", "name", "amount", "share", "partners", "requests", "programmes"}

// getDashboardCSV is the same figures as CSV, one line per area and the
// total last, for spreadsheets.
func getDashboardCSV(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		d, err := regionDashboard(c, o)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write(dashboardHeader)
		for _, r := range append(d.Areas, d.Total) {
			w.Write([]string{strconv.Itoa(d.Year), r.Area, r.Name, strconv.FormatInt(int64(r.Amount), 10), r.Share,
				strconv.FormatInt(r.Partners, 10), strconv.FormatInt(r.Requests, 10), strconv.FormatInt(r.Programmes, 10)})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="dashboard-%s-%d.csv"`, regionOf(c).tenant.Region.Slug, d.Year))
		return c.Send(buf.Bytes())
	}
}

type nationalDashboardJSON struct {
	partnership.NationalDashboard
	// NotRunning lists the served regions that do not run the four-pillar model.
	NotRunning []string `json:"notRunning"`
	// Unavailable lists the regions whose figures could not be read, and why.
	Unavailable []string `json:"unavailable"`
}

// nationalDashboard sums the public dashboards of every served region that
// runs the four-pillar model. Only each region's aggregate figures leave its
// database — the same figures its public dashboard shows — never a partner,
// a person or a realisation. Reading them opens a region's database as a
// visit to its dashboard would.
func nationalDashboard(reg *tenancy.Registry, o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		now := o.now()
		year, err := csrDashboardYear(c, regionOf(c).location, now)
		if err != nil {
			return err
		}
		if current := now.In(regionOf(c).location).Year(); year < 2000 || year > current {
			return partnership.Invalid("year", "a year from 2000 to %d", current)
		}
		out := nationalDashboardJSON{NotRunning: []string{}, Unavailable: []string{}}
		var ds []partnership.RegionDashboard
		for _, t := range reg.All() {
			if t.Region.FourPillar == nil || !t.Region.Runs(partnership.FourPillar) {
				out.NotRunning = append(out.NotRunning, t.Region.Slug)
				continue
			}
			d, err := func() (partnership.Dashboard, error) {
				db, release, err := t.Acquire(c.UserContext())
				if err != nil {
					return partnership.Dashboard{}, err
				}
				defer release()
				return store.DashboardOf(c.UserContext(), db, t.Region, year)
			}()
			if err != nil {
				if o.Log != nil {
					o.Log.Error("national dashboard: a region's figures could not be read", "region", t.Region.Slug, "err", err)
				}
				out.Unavailable = append(out.Unavailable, t.Region.Slug+": its figures could not be read")
				continue
			}
			ds = append(ds, partnership.RegionDashboard{Slug: t.Region.Slug, Name: t.Region.Name, Dashboard: d})
		}
		out.NationalDashboard = partnership.SumDashboards(year, ds)
		return c.JSON(out)
	}
}
