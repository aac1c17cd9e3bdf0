package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/apiserver/supervision"
	"pilar.id/pilar/apiserver/twopillar"
)

// What residents do on the portal: send an aspiration to an institution of
// their ward, file a complaint (anonymously if they wish), and follow both.

const codeCookie = "pilar_code"

// wardChoice is the first step of a form about a ward (the partial
// ward-choice): the ward, then what belongs to it. It works without script:
// choosing a ward reloads the form, at Path.
type wardChoice struct {
	Path, Hint   string // the form's path in the region, the catalog key of the ward's hint
	Wards        []option
	Ward         string // the chosen ward's code, "" until chosen
	WardName     string
	Kecamatan    string
	Institutions []option
}

func chooseWard(r *partnership.Region, path, hint, code string) wardChoice {
	w := wardChoice{Path: path, Hint: hint, Wards: wardOptions(r)}
	if ward, kec, ok := r.Ward(code); ok {
		w.Ward, w.WardName, w.Kecamatan = ward.Code, ward.Name, kec.Name
		w.Institutions = each(r.InstitutionsOf(ward.Code), func(in partnership.Institution) option { return option{Value: in.Key, Label: in.Name} })
	}
	return w
}

// wardForm is the screen of a form about a ward (wardChoice) at path: the
// ward the form posted names, else the query's, with the region's priority
// areas for a form that asks for one.
func wardForm(nav, template, path, hint string) screen {
	return screen{nav: nav, template: template, data: func(c *fiber.Ctx, v *view) (any, error) {
		r := regionOf(c).tenant.Region
		return struct {
			wardChoice
			Areas []option
		}{chooseWard(r, path, hint, given(c, v, "ward")), areaOptions(r)}, nil
	}}
}

var (
	aspirationForm = wardForm("aspiration", "aspiration", "/aspirations/new", "hint.ward")
	complaintForm  = wardForm("complaint", "complaint", "/complaints/new", "hint.complaint.ward")
)

// aspirationSubmit sends a resident's aspiration, as the API does.
var aspirationSubmit = aspirationForm.post("", "flash.aspiration", func(c *fiber.Ctx, v *view, f *form) (string, error) {
	in := partnership.NewAspiration{Institution: f.Get("institution"), Title: f.Get("title"), Body: f.Get("body")}
	_, err := twopillar.SubmitAspiration(c.UserContext(), realmOf(c), actorOf(c), in)
	return "/mine", err
})

// complaintSubmit files a complaint as the API does. Filed anonymously —
// nobody signed in, or a resident who asks for it — it is made and audited
// as the public's, and the tracking code is shown once on the next page.
var complaintSubmit = complaintForm.post("", "flash.complaint", func(c *fiber.Ctx, v *view, f *form) (string, error) {
	rr := regionOf(c)
	in := partnership.NewComplaint{Ward: f.Get("ward"), Institution: f.Get("institution"), Subject: f.Get("subject"), Body: f.Get("body"), Public: f.Bool("public")}
	_, code, err := supervision.FileComplaint(c.UserContext(), rr.realm, actorOf(c), supervision.Filing{NewComplaint: in, Anonymous: f.Bool("anonymous")})
	if err != nil || code == "" {
		return "/mine", err
	}
	c.Cookie(&fiber.Cookie{Name: codeCookie, Value: code, Path: rr.base + "/", MaxAge: 600, HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: !rr.insecure})
	return "/complaints/filed", nil
})

// complaintFiled shows the tracking code of a complaint just filed
// anonymously, once: the cookie that carried it is cleared. The code stands
// in place of the flash message.
var complaintFiled = screen{nav: "complaint", template: "complaint_filed", data: func(c *fiber.Ctx, v *view) (any, error) {
	code := c.Cookies(codeCookie)
	if code != "" {
		c.Cookie(&fiber.Cookie{Name: codeCookie, Value: "", Path: regionOf(c).base + "/", Expires: time.Unix(0, 0), HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode})
	}
	v.Title, v.Flash = v.L.T("complaint.filed.title"), ""
	return struct{ Code string }{code}, nil
}}.get

type historyItem struct {
	At    time.Time
	Label string
}

type trackData struct {
	Code      string
	Complaint *partnership.Complaint
	History   []historyItem
}

// complaintTrack follows an anonymous complaint by its tracking code.
var complaintTrack = screen{nav: "track", template: "track", data: func(c *fiber.Ctx, v *view) (any, error) {
	d := trackData{Code: c.Query("code")}
	if d.Code != "" {
		f := &form{Values: map[string]string{"code": d.Code}}
		v.Form = f
		cp, err := supervision.Tracked(c.UserContext(), realmOf(c), d.Code)
		d.Complaint = cp.Complaint
		if err != nil {
			f.fail("code", v.L.T("complaint.track.unknown"))
			v.Status = fiber.StatusNotFound
		} else if d.History, err = history(c, v, "complaint", d.Complaint.ID); err != nil {
			return nil, err
		}
	}
	return d, nil
}}.get

// history is what became of a submission, from its entries in the audit log.
func history(c *fiber.Ctx, v *view, typ string, id int64) ([]historyItem, error) {
	es, err := audit.List(c.UserContext(), regionOf(c).db, audit.Filter{ObjectType: typ, ObjectID: strconv.FormatInt(id, 10), Limit: audit.MaxLimit})
	if err != nil {
		return nil, err
	}
	var out []historyItem
	for _, e := range es {
		state, _ := e.After["state"].(string)
		out = append(out, historyItem{At: e.At, Label: v.stateLabel(typ, state)})
	}
	return out, nil
}

type mineData struct {
	Aspirations []submission
	Complaints  []submission
}

type submission struct {
	ID      int64
	Title   string
	Where   string
	State   string
	At      time.Time
	Note    string
	History []historyItem
}

// mine lists the signed-in resident's aspirations and complaints, each with
// its state and history.
var mine = screen{nav: "mine", template: "mine", data: func(c *fiber.Ctx, v *view) (any, error) {
	ctx, db, r, me := c.UserContext(), regionOf(c).db, regionOf(c).tenant.Region, actorOf(c).AccountID()
	var d mineData
	as, err := store.ListAspirations(ctx, db, store.AspirationFilter{AccountID: me, Limit: 200})
	if err != nil {
		return nil, err
	}
	if d.Aspirations, err = submissions(c, v, "aspiration", "mine.note", as, func(a *partnership.Aspiration) submission {
		return submission{ID: a.ID, Title: a.Title, Where: r.PlaceName(a.Institution), State: string(a.State), At: a.SubmittedAt, Note: a.Reason}
	}); err != nil {
		return nil, err
	}
	cs, err := store.ListComplaints(ctx, db, store.ComplaintFilter{AccountID: me, Limit: 200})
	if err != nil {
		return nil, err
	}
	d.Complaints, err = submissions(c, v, "complaint", "mine.resolution", cs, func(cp *partnership.Complaint) submission {
		return submission{ID: cp.ID, Title: cp.Subject, Where: r.PlaceName(cp.Scope), State: string(cp.State), At: cp.FiledAt, Note: cp.Resolution}
	})
	return d, err
}}.get

// submissions show a resident's own submissions of a type, newest first,
// each as show shows it, with its state's name, its note as the catalog's
// text of note says it, and its history.
func submissions[T any](c *fiber.Ctx, v *view, typ, note string, xs []T, show func(T) submission) ([]submission, error) {
	var out []submission
	for i := len(xs) - 1; i >= 0; i-- {
		s := show(xs[i])
		var err error
		if s.History, err = history(c, v, typ, s.ID); err != nil {
			return nil, err
		}
		s.State = v.stateLabel(typ, s.State)
		if s.Note != "" {
			s.Note = v.L.T(note, s.Note)
		}
		out = append(out, s)
	}
	return out, nil
}
