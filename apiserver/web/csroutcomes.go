package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/fourpillar"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/tenancy"
)

// What comes of the four-pillar workflow over HTTP: partners' realisation
// reports, the obligations flagged overdue, sanctions and each partner's
// standing, the forum's quarterly evaluations, awards, and the public
// dashboard of the region and of the nation. The steps are package
// fourpillar's; the handlers parse, call them and answer.

// The store's records that the API returns as they are.
type (
	overdueJSON    = store.OverdueRecord
	evaluationJSON = store.EvaluationRecord
)

// namedBy shows objects with the names of the partners they are about,
// read in one query.
type namedBy[T, J any] struct {
	partner func(T) int64
	show    func(c *fiber.Ctx) func(T, string) J
}

func (n namedBy[T, J]) all(c *fiber.Ctx, xs []T) ([]J, error) {
	ids := each(xs, n.partner)
	names, err := store.PartnerNames(c.UserContext(), regionOf(c).db, ids)
	if err != nil {
		return nil, err
	}
	show, out := n.show(c), make([]J, len(xs))
	for i, x := range xs {
		out[i] = show(x, names[ids[i]])
	}
	return out, nil
}

// reply answers with one object a step or a read returned, its partner
// named: reply(c, status)(step(...)).
func (n namedBy[T, J]) reply(c *fiber.Ctx, status int) func(T, error) error {
	return func(x T, err error) error {
		if err != nil {
			return err
		}
		out, err := n.all(c, []T{x})
		if err != nil {
			return err
		}
		return c.Status(status).JSON(out[0])
	}
}

// byID is the handler of a read of the object the path's id names.
func (n namedBy[T, J]) byID(read func(*fiber.Ctx, int64) (T, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		return n.reply(c, fiber.StatusOK)(read(c, id))
	}
}

// --- realisations ---

// evidenceJSON is a file of a realisation's evidence, shown as a report's
// attachment is.
type evidenceJSON attachmentJSON

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

var realisations = namedBy[*partnership.Realisation, realisationJSON]{func(r *partnership.Realisation) int64 { return r.PartnerID }, realisationOut}

// realisationOut shows the request's region's realisation reports, each
// with its partner's name and its evidence's addresses.
func realisationOut(c *fiber.Ctx) func(*partnership.Realisation, string) realisationJSON {
	base := regionOf(c).base
	return func(r *partnership.Realisation, name string) realisationJSON {
		out := realisationJSON{ID: r.ID, Partner: r.PartnerID, PartnerName: name, Programme: r.ProgrammeID, FiscalYear: r.FiscalYear, Area: r.Area,
			Ward: r.WardCode, ActivityStart: r.ActivityStart, ActivityEnd: r.ActivityEnd, DueAt: r.DueAt, SubmittedAt: r.SubmittedAt,
			Amount: r.Amount, SourceOfFunds: r.SourceOfFunds, Outputs: r.Outputs, TargetsReached: r.TargetsReached, Late: r.Late,
			Historical: r.Historical, Evidence: each(r.Evidence, func(a partnership.Attachment) evidenceJSON {
				return evidenceJSON(attachmentOut(a, fmt.Sprintf("%s/api/realisations/%d/evidence/%d", base, r.ID, a.N)))
			})}
		return out
	}
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
	if !isMultipart(c) {
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

// submitRealisation takes a partner's realisation report on one of its own
// programmes, with its evidence (fourpillar.SubmitRealisation).
func submitRealisation(c *fiber.Ctx) error {
	in, files, err := parseRealisation(c)
	if err != nil {
		return err
	}
	return realisations.reply(c, fiber.StatusCreated)(fourpillar.SubmitRealisation(c.UserContext(), realmOf(c), actorOf(c), in, files))
}

// listRealisations lists the realisation reports by ?partner=,
// ?programme=, ?year= and ?area=; a page continues only when there is more.
func listRealisations(c *fiber.Ctx) error {
	q := queryOf(c)
	f := store.RealisationFilter{PartnerID: q.count("partner"), ProgrammeID: q.count("programme"), FiscalYear: int(q.count("year")),
		Area: c.Query("area"), AfterID: q.after, Limit: q.limit + 1}
	if q.err != nil {
		return q.err
	}
	rs, err := store.ListRealisations(c.UserContext(), regionOf(c).db, f)
	if err != nil {
		return err
	}
	out := page[realisationJSON]{}
	if len(rs) > q.limit {
		rs = rs[:q.limit]
		out.Next = &rs[q.limit-1].ID
	}
	if out.Items, err = realisations.all(c, rs); err != nil {
		return err
	}
	return c.JSON(out)
}

var getRealisation = realisations.byID(stored(store.GetRealisation))

// getEvidence sends a realisation's evidence as a download, to those who may
// read it (fourpillar.Evidence).
func getEvidence(c *fiber.Ctx) error {
	return download(c, "realisation", "the evidence's position, from 1", func(id int64, n int) (file, error) {
		d, err := fourpillar.Evidence(c.UserContext(), realmOf(c), actorOf(c), id, n)
		if err != nil {
			return file{}, err
		}
		return file{d.Name, d.ContentType, d.Data}, nil
	})
}

// listOverdue lists the obligations the schedule flagged: open ones by
// default, all with ?all=true, of one partner with ?partner=.
var listOverdue = readOf(func(c *fiber.Ctx, q *query) store.OverdueFilter {
	return store.OverdueFilter{PartnerID: q.count("partner"), Open: c.Query("all") != "true"}
}, stored(store.ListOverdue), whole(same[store.OverdueRecord]))

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

var sanctions = namedBy[*partnership.Sanction, sanctionJSON]{func(s *partnership.Sanction) int64 { return s.PartnerID },
	func(*fiber.Ctx) func(*partnership.Sanction, string) sanctionJSON { return sanctionOut }}

func namedSanctionOut(s fourpillar.NamedSanction) sanctionJSON {
	return sanctionOut(&s.Sanction, s.PartnerName)
}

// listSanctions lists sanctions, public like the forum's decisions: what was
// recommended, issued, lifted or dismissed, and why.
var listSanctions = listOf(func(c *fiber.Ctx, q *query) fourpillar.SanctionQuery {
	return fourpillar.SanctionQuery{Partner: q.count("partner"), State: partnership.SanctionState(c.Query("state")), After: q.after, Limit: q.limit}
}, asCaller(fourpillar.Sanctions), func(s fourpillar.NamedSanction) int64 { return s.ID }, namedSanctionOut)

// listMySanctions is the notice a partner receives: every sanction on the
// partners the caller's account acts for.
var listMySanctions = readOf(func(*fiber.Ctx, *query) fourpillar.SanctionQuery { return fourpillar.SanctionQuery{Mine: true} },
	asCaller(fourpillar.Sanctions), whole(namedSanctionOut))

var getSanction = sanctions.byID(stored(store.GetSanction))

type recommendIn struct {
	Partner int64  `json:"partner" form:"partner"`
	Step    string `json:"step,omitempty" form:"step"` // the next step of the ladder when empty
	Reason  string `json:"reason" form:"reason"`
}

// recommendSanction is the forum secretariat's own recommendation, beside
// those the schedule makes by rule (fourpillar.RecommendSanction).
func recommendSanction(c *fiber.Ctx) error {
	var in recommendIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	return sanctions.reply(c, fiber.StatusCreated)(fourpillar.RecommendSanction(c.UserContext(), realmOf(c), actorOf(c), fourpillar.Recommendation(in)))
}

type resolutionIn struct {
	Reason string `json:"reason" form:"reason"`
}

// moveSanction issues, dismisses or lifts a sanction (fourpillar.MoveSanction).
func moveSanction(to partnership.SanctionState) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var in resolutionIn
		if err := optionalBody(c, &in); err != nil {
			return err
		}
		return sanctions.reply(c, fiber.StatusOK)(fourpillar.MoveSanction(c.UserContext(), realmOf(c), actorOf(c), id, to, in.Reason))
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

// standings reads the compliance and CSR maturity of the approved partners
// ids names, of every one when ids is nil.
func standings(c *fiber.Ctx, ids []int64) ([]store.Standing, error) {
	t, db := tenantOf(c)
	return store.Standings(c.UserContext(), db, t.Region, ids)
}

// listStandings shows every approved partner's compliance state and CSR maturity.
var listStandings = readOf(func(*fiber.Ctx, *query) []int64 { return nil }, standings, whole(standingOut))

var getStanding = byID(func(c *fiber.Ctx, id int64) (store.Standing, error) {
	st, err := standings(c, []int64{id})
	if err == nil && len(st) == 0 {
		err = fmt.Errorf("%w: no partner %d", partnership.ErrNotFound, id)
	}
	if err != nil {
		return store.Standing{}, err
	}
	return st[0], nil
}, standingOut)

// --- quarterly evaluations ---

type evaluationIn struct {
	Year    int `json:"year" form:"year"`
	Quarter int `json:"quarter" form:"quarter"`
}

// previewEvaluation generates a quarter's evaluation without publishing it.
var previewEvaluation = readOf(func(_ *fiber.Ctx, q *query) fourpillar.Quarter {
	return fourpillar.Quarter{Year: int(q.count("year")), Quarter: int(q.count("quarter"))}
}, inRealm(fourpillar.PreviewEvaluation), same[partnership.Evaluation])

// publishEvaluation publishes a quarter's evaluation (fourpillar.PublishEvaluation).
var publishEvaluation = takeNew(func(ctx context.Context, r *step.Region, a step.Actor, in evaluationIn) (*store.EvaluationRecord, error) {
	return fourpillar.PublishEvaluation(ctx, r, a, fourpillar.Quarter(in))
}, same[*store.EvaluationRecord])

var (
	listEvaluations = readOf(func(_ *fiber.Ctx, q *query) int { return int(q.count("year")) }, stored(store.ListEvaluations), whole(same[store.EvaluationRecord]))
	getEvaluation   = byID(stored(store.GetEvaluation), same[*store.EvaluationRecord])
)

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

var awards = namedBy[*partnership.Award, awardJSON]{func(a *partnership.Award) int64 { return a.PartnerID }, awardOut}

// awardOut shows the request's region's award scores, each with its
// partner's name, under the region's weights.
func awardOut(c *fiber.Ctx) func(*partnership.Award, string) awardJSON {
	r := regionOf(c).tenant.Region
	return func(a *partnership.Award, name string) awardJSON {
		out := awardJSON{Cycle: a.Cycle, Years: [2]int{a.Cycle, a.Cycle + max(r.FourPillar.AwardCycleYears, 1) - 1}, Partner: a.PartnerID, PartnerName: name,
			Scores: a.Scores, Weights: r.FourPillar.AwardWeights, Total: a.Total, TotalPercent: partnership.Percent(a.Total),
			Adjustments: a.Adjustments, Adjusted: a.Adjusted(), AdjustedPercent: partnership.Percent(a.Adjusted()), State: a.State,
			ScoredAt: a.ScoredAt, PublishedAt: timeOrNil(a.PublishedAt), Version: a.Version}
		if out.Adjustments == nil {
			out.Adjustments = []partnership.AwardAdjustment{}
		}
		return out
	}
}

func cycleParam(c *fiber.Ctx) (int, error) {
	n, err := c.ParamsInt("cycle")
	if err != nil || n <= 0 {
		return 0, partnership.Invalid("cycle", "the first year of the award cycle")
	}
	return n, nil
}

// onCycle is the handler of a read or a step of the award cycle the path
// names: it answers with the cycle's awards, their partners named.
func onCycle(take func(c *fiber.Ctx, cycle int) ([]*partnership.Award, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		cycle, err := cycleParam(c)
		if err != nil {
			return err
		}
		as, err := take(c, cycle)
		if err != nil {
			return err
		}
		items, err := awards.all(c, as)
		if err != nil {
			return err
		}
		return c.JSON(page[awardJSON]{Items: items})
	}
}

var (
	// scoreAwards scores a cycle (fourpillar.ScoreAwards).
	scoreAwards = onCycle(asCaller(fourpillar.ScoreAwards))
	// publishAwards makes every score of a cycle final and public (fourpillar.PublishAwards).
	publishAwards = onCycle(asCaller(fourpillar.PublishAwards))
	listAwards    = onCycle(func(c *fiber.Ctx, cycle int) ([]*partnership.Award, error) {
		if r := regionOf(c).tenant.Region; r.FourPillar == nil {
			return nil, fmt.Errorf("%w: %s does not run the four-pillar model", partnership.ErrNotFound, r.Name)
		}
		return store.Awards(c.UserContext(), regionOf(c).db, cycle)
	})
)

type adjustIn struct {
	Delta  int64  `json:"delta" form:"delta"` // basis points, either way
	Reason string `json:"reason" form:"reason"`
}

// adjustAward records the forum's change to a partner's total (fourpillar.AdjustAward).
func adjustAward(c *fiber.Ctx) error {
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
	return awards.reply(c, fiber.StatusOK)(fourpillar.AdjustAward(c.UserContext(), realmOf(c), actorOf(c), cycle, int64(partner), fourpillar.Adjustment(in)))
}

// --- the public dashboard ---

// csrDashboardYear is the year asked for, the current one by default.
func csrDashboardYear(c *fiber.Ctx) (int, error) {
	s := c.Query("year")
	if s == "" {
		return realmOf(c).Clock().In(regionOf(c).location).Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, partnership.Invalid("year", "a year, e.g. 2015")
	}
	return y, nil
}

// getDashboard is the region's public dashboard for a year, as JSON.
func getDashboard(c *fiber.Ctx) error {
	year, err := csrDashboardYear(c)
	if err != nil {
		return err
	}
	return answer(c, fiber.StatusOK, same[partnership.Dashboard])(fourpillar.Dashboard(c.UserContext(), realmOf(c), year))
}

// getDashboardCSV is the same figures as CSV, one line per area and the
// total last, for spreadsheets.
func getDashboardCSV(c *fiber.Ctx) error {
	year, err := csrDashboardYear(c)
	if err != nil {
		return err
	}
	return dashboardCSV(c, fmt.Sprintf("dashboard-%s-%d.csv", regionOf(c).tenant.Region.Slug, year), year,
		[]string{"year", "area", "name", "amount", "share", "partners", "requests", "programmes"})
}

// dashboardCSV sends the dashboard of a year as CSV under a header: one line
// per area, the total last.
func dashboardCSV(c *fiber.Ctx, name string, year int, header []string) error {
	d, err := fourpillar.Dashboard(c.UserContext(), realmOf(c), year)
	if err != nil {
		return err
	}
	rows := [][]string{header}
	for _, r := range append(d.Areas, d.Total) {
		rows = append(rows, []string{strconv.Itoa(d.Year), r.Area, r.Name, strconv.FormatInt(int64(r.Amount), 10), r.Share,
			strconv.FormatInt(r.Partners, 10), strconv.FormatInt(r.Requests, 10), strconv.FormatInt(r.Programmes, 10)})
	}
	return sendCSV(c, name, rows)
}

type nationalDashboardJSON struct {
	partnership.NationalDashboard
	// NotRunning lists the served regions that do not run the four-pillar model.
	NotRunning []string `json:"notRunning"`
	// Unavailable lists the regions whose figures could not be read, and why.
	Unavailable []string `json:"unavailable"`
}

// nationalDashboard sums the public dashboards of every served region that
// runs the four-pillar model (fourpillar.National).
func nationalDashboard(reg *tenancy.Registry, o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		year, err := csrDashboardYear(c)
		if err != nil {
			return err
		}
		if current := realmOf(c).Clock().In(regionOf(c).location).Year(); year < 2000 || year > current {
			return partnership.Invalid("year", "a year from 2000 to %d", current)
		}
		d, notRunning, unavailable := fourpillar.National(c.UserContext(), reg.All(), year, func(slug string, err error) {
			if o.Log != nil {
				o.Log.Error("national dashboard: a region's figures could not be read", "region", slug, "err", err)
			}
		})
		// The lists are never null, only empty.
		return c.JSON(nationalDashboardJSON{NationalDashboard: d, NotRunning: append([]string{}, notRunning...), Unavailable: append([]string{}, unavailable...)})
	}
}
