package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/i18n"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

// The portal's pages share what this file holds: the view every template is
// rendered with (language, region, who is signed in, the form being filled
// in), the choice of language, flash messages after a redirect, and errors
// rendered as pages. A page form takes the same step of the application
// layer as the JSON handler of its route, and answers a success with a
// redirect (POST-redirect-GET) and a refusal with the same form, the reasons
// beside the fields and nothing changed.

// errFormFailed stands for a form the page refused before the domain saw it.
var errFormFailed = errors.New("web: the form was refused")

// catalogs are the shipped message catalogs: embedded, read once.
var catalogs = i18n.MustLoad()

const (
	langCookie  = "pilar_lang"
	flashCookie = "pilar_flash"
	localPage   = "page" // set on page routes: errors render as HTML
)

// asPage marks a route as a page: its errors are rendered as HTML pages, and
// its answers carry the portal's security headers.
func asPage(c *fiber.Ctx) error {
	c.Locals(localPage, true)
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "same-origin")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Vary(fiber.HeaderCookie, fiber.HeaderAcceptLanguage)
	return c.Next()
}

// wantsHTML reports whether an error should be answered with a page: on a
// page route, or on a path outside the API asked for by a browser.
func wantsHTML(c *fiber.Ctx) bool {
	if v, _ := c.Locals(localPage).(bool); v {
		return true
	}
	p := c.Path()
	if strings.Contains(p, "/api/") || p == "/healthz" || p == "/readyz" {
		return false
	}
	return c.Accepts(fiber.MIMEApplicationJSON, fiber.MIMETextHTML) == fiber.MIMETextHTML
}

// view is what every page template is rendered with.
type view struct {
	L      *i18n.Localizer
	Region *partnership.Region
	Base   string // the region's URL prefix
	// StaticBase serves the static files when there is no region: the
	// embedded mode's list of regions borrows the first region's.
	StaticBase string
	Path       string // the page's path, for the language menu
	Langs      []langLink
	Title      string
	Nav        string // the menu entry of the page
	Me         *authz.Account
	Staff      bool // holds a role beyond resident: sees the work queues
	Admin      bool // may read grants
	CSRF       string
	Demo       bool
	Flash      string
	Form       *form
	Data       any
	Status     int
}

type langLink struct {
	Code, Name, Href string
	Current          bool
}

// FourPillar reports whether the region runs the four-pillar model.
func (v *view) FourPillar() bool { return v.Region.Runs(partnership.FourPillar) }

// newView builds the view of a page of the region the request is for.
func newView(c *fiber.Ctx, nav string) *view {
	rr := regionOf(c)
	r := rr.tenant.Region
	lang := pageLanguage(c, r.Languages)
	v := &view{
		L: catalogs.For(lang, r.Location), Region: r, Base: rr.base, Path: c.Path(), Nav: nav,
		Me: rr.principal.Account, Demo: rr.demo, Form: &form{},
	}
	for _, g := range rr.principal.Grants {
		if g.Role != policies.Resident {
			v.Staff = true
		}
		if g.Role == policies.RegionalAdmin || g.Role == policies.InternalSupervisor {
			v.Admin = true
		}
	}
	if rr.session != "" {
		v.CSRF = authz.CSRFToken(rr.session)
	}
	v.Langs = each(r.Languages, func(l string) langLink {
		return langLink{Code: l, Name: catalogs.Autonym(l), Href: c.Path() + "?lang=" + url.QueryEscape(l), Current: l == lang}
	})
	if f := c.Cookies(flashCookie); f != "" && c.Method() == fiber.MethodGet {
		if strings.HasPrefix(f, "flash.") && v.L.Has(f) {
			v.Flash = v.L.T(f)
		}
		c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: rr.base + "/", Expires: time.Unix(0, 0), HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	}
	return v
}

// pageLanguage chooses the language of a page among the region's: ?lang=
// (remembered in a cookie), the cookie, Accept-Language, the region's first.
func pageLanguage(c *fiber.Ctx, offered []string) string {
	q := c.Query("lang")
	lang := i18n.Negotiate(q, c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage), offered)
	if q != "" && q == lang {
		c.Cookie(&fiber.Cookie{Name: langCookie, Value: lang, Path: regionOf(c).base + "/", MaxAge: 365 * 24 * 3600, SameSite: fiber.CookieSameSiteLaxMode, HTTPOnly: true})
	}
	return lang
}

// render answers with a page: the template inside the layout.
func render(c *fiber.Ctx, v *view, name string) error {
	if v.Title == "" {
		v.Title = v.L.T("nav." + v.Nav)
	}
	if v.Status != 0 {
		c.Status(v.Status)
	}
	c.Type("html", "utf-8")
	return c.Render("templates/"+name, v)
}

// screen is a page of the portal: its menu entry, its template, and what it
// shows, read for the request (data may set the view's title and status).
type screen struct {
	nav, template string
	data          func(c *fiber.Ctx, v *view) (any, error)
}

// show renders the screen in the view: at first, or again with a refused form.
func (s screen) show(c *fiber.Ctx, v *view) error {
	d, err := s.data(c, v)
	if err != nil {
		return err
	}
	v.Data = d
	return render(c, v, s.template)
}

// get is the screen's handler.
func (s screen) get(c *fiber.Ctx) error { return s.show(c, newView(c, s.nav)) }

// post is the handler of a form of the screen: do reads the form (key names
// it among the page's forms) and takes the step, answering the page to go
// to. On success the answer redirects there with the flash message; on
// refusal it is the screen again, the form filled in and its reasons beside
// its fields, with status 422 unless do set another.
func (s screen) post(key, flash string, do func(c *fiber.Ctx, v *view, f *form) (string, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := newView(c, s.nav)
		f := formOf(c)
		f.Key = key
		v.Form = f
		to, err := do(c, v, f)
		if err != nil {
			if err != errFormFailed {
				if err := refuseAllocation(v, f, err); err != nil {
					return err
				}
			}
			if v.Status == 0 {
				v.Status = fiber.StatusUnprocessableEntity
			}
			return s.show(c, v)
		}
		return redirect(c, to, flash)
	}
}

// datetime reads the date and time typed in a datetime-local field, in loc.
func (f *form) datetime(v *view, name string, loc *time.Location) time.Time {
	return f.time(v, name, f.Get(name), "2006-01-02T15:04", "error.datetime", loc)
}

// date reads the date typed in a date field, in loc.
func (f *form) date(v *view, name string, loc *time.Location) time.Time {
	return f.time(v, name, strings.TrimSpace(f.Get(name)), time.DateOnly, "error.date", loc)
}

// time reads s, typed in the field name, as layout has it; a field left
// empty is required, one that is no such time refused with the catalog's
// reason bad.
func (f *form) time(v *view, name, s, layout, bad string, loc *time.Location) time.Time {
	if s == "" {
		f.fail(name, v.L.T("error.required"))
		return time.Time{}
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		f.fail(name, v.L.T(bad))
	}
	return t
}

// given is a value the page was given: in the form posted, else in its query.
func given(c *fiber.Ctx, v *view, name string) string {
	if v.Form.Values != nil {
		return v.Form.Get(name)
	}
	return c.Query(name)
}

// redirect answers a successful POST with a redirect to a page of the
// region, carrying a flash message (a catalog key) to show there once.
func redirect(c *fiber.Ctx, path, flash string) error {
	rr := regionOf(c)
	if flash != "" {
		c.Cookie(&fiber.Cookie{Name: flashCookie, Value: flash, Path: rr.base + "/", MaxAge: 120, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	}
	return c.Redirect(rr.base+path, fiber.StatusSeeOther)
}

// --- forms ---

// form is what a user typed into a form, and why it was refused: the values
// are shown again, each error beside its field and all of them in a summary.
type form struct {
	Key     string // which form of the page failed, when a page has several
	Values  map[string]string
	Multi   map[string][]string
	Errors  map[string]string
	Order   []string // the fields in error, in the order the form shows them
	General string   // a refusal that concerns no single field
}

// formOf reads the posted form.
func formOf(c *fiber.Ctx) *form {
	f := &form{Values: map[string]string{}, Multi: map[string][]string{}}
	add := func(k, v string) {
		f.Multi[k] = append(f.Multi[k], v)
		if _, ok := f.Values[k]; !ok {
			f.Values[k] = v
		}
	}
	if mf, err := c.MultipartForm(); err == nil {
		for k, vs := range mf.Value {
			for _, v := range vs {
				add(k, v)
			}
		}
	} else {
		c.Request().PostArgs().VisitAll(func(k, v []byte) { add(string(k), string(v)) })
	}
	delete(f.Values, csrfField)
	return f
}

// Get is the value typed for a field.
func (f *form) Get(name string) string { return f.Values[name] }

// Bool reads a checkbox.
func (f *form) Bool(name string) bool {
	switch f.Values[name] {
	case "on", "true", "1", "yes":
		return true
	}
	return false
}

// Failed reports whether the form failed at all.
func (f *form) Failed() bool { return len(f.Errors) > 0 || f.General != "" }

// For returns the form when it is the one with this key, else an empty one:
// a page with many forms shows the values and errors in the one that failed.
func (f *form) For(key string) *form {
	if f != nil && f.Key == key {
		return f
	}
	return &form{}
}

// fail notes that a field was refused, with the reason already in the
// reader's language.
func (f *form) fail(field, reason string) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	if _, seen := f.Errors[field]; !seen {
		f.Order = append(f.Order, field)
	}
	f.Errors[field] = reason
}

// refuse records why the domain refused the form: bad input beside its field,
// a conflict or a refusal for the whole form. It returns the error itself
// when it is none of those, for the error page.
func (f *form) refuse(l *i18n.Localizer, err error) error {
	var fe *partnership.FieldError
	switch {
	case errors.As(err, &fe):
		f.fail(fe.Field, reasonText(l, fe))
	case errors.Is(err, partnership.ErrConflict):
		f.General = l.T("error.conflict")
		if l.Lang == "en" {
			f.General += " " + strings.TrimPrefix(err.Error(), "conflict: ")
		}
	case errors.Is(err, partnership.ErrForbidden):
		f.General = l.T("error.forbidden.action")
	case errors.Is(err, partnership.ErrThrottled):
		f.General = l.T("error.throttled")
	default:
		return err
	}
	return nil
}

var (
	reAtLeast = regexp.MustCompile(`^at least (\d+) characters$`)
	reAtMost  = regexp.MustCompile(`^at most (\d+) (characters|bytes)$`)
)

// reasonText says in the reader's language why a field was refused: the
// domain's common reasons are translated; any other falls back to a message
// for the field, then to a general one, in English with the domain's words.
func reasonText(l *i18n.Localizer, fe *partnership.FieldError) string {
	r := fe.Reason
	switch {
	case r == "required" || strings.HasPrefix(r, "required,") || strings.HasPrefix(r, "required:"):
		return l.T("error.required")
	case reAtLeast.MatchString(r):
		n, _ := strconv.Atoi(reAtLeast.FindStringSubmatch(r)[1])
		return l.T("error.min", l.Number(int64(n)))
	case reAtMost.MatchString(r):
		n, _ := strconv.Atoi(reAtMost.FindStringSubmatch(r)[1])
		return l.T("error.max", l.Number(int64(n)))
	case r == "must not be negative" || strings.HasPrefix(r, "must be more than"):
		return l.T("error.positive")
	}
	key := "error.field." + strings.SplitN(fe.Field, ".", 2)[0]
	if l.Has(key) {
		return l.T(key)
	}
	if l.Lang == "en" {
		return r
	}
	return l.T("error.invalid")
}

// option is one choice of a select or a group of radio buttons.
type option struct {
	Value, Label string
	Group        string // the optgroup it belongs to, if any
	Selected     bool
}

// field is one form control with its label, value and error.
type field struct {
	ID, Name, Label, Hint, Value, Error, Type string
	Autocomplete, Inputmode                   string
	Placeholder                               string
	Required, Checked                         bool
	Rows, Min, Max                            int
	Options                                   []option
	Groups                                    []optionGroup
}

type optionGroup struct {
	Label   string
	Options []option
}

// Field builds a control of the form with this key; the label and any hint
// are catalog keys. Specs set the rest: "type=password", "hint=key",
// "autocomplete=...", "inputmode=numeric", "required", "rows=6",
// "value=default", "id=suffix".
func (v *view) Field(key, name, label string, specs ...string) field {
	f := v.Form.For(key)
	fd := field{ID: "f-" + name, Name: name, Label: v.L.T(label), Type: "text", Value: f.Get(name), Error: f.Errors[name]}
	if key != "" {
		fd.ID = "f-" + key + "-" + name
	}
	for _, s := range specs {
		k, val, _ := strings.Cut(s, "=")
		switch k {
		case "type":
			fd.Type = val
		case "hint":
			fd.Hint = v.L.T(val)
		case "autocomplete":
			fd.Autocomplete = val
		case "inputmode":
			fd.Inputmode = val
		case "required":
			fd.Required = true
		case "rows":
			fd.Rows, _ = strconv.Atoi(val)
		case "min":
			fd.Min, _ = strconv.Atoi(val)
		case "max":
			fd.Max, _ = strconv.Atoi(val)
		case "placeholder":
			fd.Placeholder = v.L.T(val)
		case "value":
			if !f.Failed() {
				fd.Value = val
			}
		}
	}
	if fd.Type == "checkbox" {
		fd.Checked = f.Bool(name) || (!f.Failed() && fd.Value == "on")
	}
	return fd
}

// Select builds a select of the form with this key from options; the option
// matching the value typed (or the default) is selected. Options with a Group
// are shown in optgroups.
func (v *view) Select(key, name, label string, opts []option, specs ...string) field {
	fd := v.Field(key, name, label, specs...)
	fd.Type = "select"
	for _, o := range opts {
		o.Selected = o.Value == fd.Value
		if o.Group == "" {
			fd.Options = append(fd.Options, o)
			continue
		}
		if n := len(fd.Groups); n == 0 || fd.Groups[n-1].Label != o.Group {
			fd.Groups = append(fd.Groups, optionGroup{Label: o.Group})
		}
		g := &fd.Groups[len(fd.Groups)-1]
		g.Options = append(g.Options, o)
	}
	return fd
}

// Radios builds a group of radio buttons of the form with this key, one per
// value, each labelled by the catalog key prefix+value.
func (v *view) Radios(key, name, label, prefix string, values []string, specs ...string) field {
	fd := v.Field(key, name, label, specs...)
	fd.Type = "radios"
	fd.Options = each(values, func(val string) option {
		return option{Value: val, Label: v.L.T(prefix + val), Selected: val == fd.Value}
	})
	return fd
}

// Summary lists the errors of a form, each with a link to its field.
func (v *view) Summary(key string) []summaryItem {
	f := v.Form.For(key)
	var out []summaryItem
	for _, name := range f.Order {
		id := "f-" + name
		if key != "" {
			id = "f-" + key + "-" + name
		}
		msg := f.Errors[name]
		for _, k := range []string{"field." + name, name} {
			if v.L.Has(k) {
				msg = v.L.T("form.errorItem", v.L.T(k), msg)
				break
			}
		}
		out = append(out, summaryItem{ID: id, Message: msg})
	}
	return out
}

type summaryItem struct{ ID, Message string }

// errorBox is the summary of a refused form, announced when the page loads.
type errorBox struct {
	Show    bool
	Title   string
	General string
	Items   []summaryItem
}

// Errors is the summary box of the form with this key.
func (v *view) Errors(key string) errorBox {
	f := v.Form.For(key)
	b := errorBox{Show: f.Failed(), General: f.General, Items: v.Summary(key)}
	if len(b.Items) > 0 {
		b.Title = v.L.T("form.errors", v.L.Number(int64(len(b.Items))))
	} else {
		b.Title = v.L.T("form.refused")
	}
	return b
}

// pair hands a template the view and one value of a range.
type pair struct {
	V *view
	X any
}

// With pairs the view with a value, for a sub-template inside a range.
func (v *view) With(x any) pair { return pair{v, x} }

// --- formatting for templates ---

// Money formats rupiah the Indonesian way.
func (v *view) Money(r partnership.Rupiah) string { return v.L.Rupiah(int64(r)) }

// Num formats a count with the language's separators.
func (v *view) Num(n any) string {
	switch x := n.(type) {
	case int:
		return v.L.Number(int64(x))
	case int64:
		return v.L.Number(x)
	case int32:
		return v.L.Number(int64(x))
	}
	return fmt.Sprint(n)
}

// Date and When format a time in the region's time zone.
func (v *view) Date(t time.Time) string { return v.L.Date(t) }

// When formats a time with its hour and zone; "" for the zero time.
func (v *view) When(t any) string {
	switch x := t.(type) {
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return v.L.DateTime(x)
	case *time.Time:
		if x == nil || x.IsZero() {
			return ""
		}
		return v.L.DateTime(*x)
	}
	return ""
}

// T translates a key made of parts, e.g. T "state.proposal." .State.
func (v *view) T(parts ...any) string {
	var b strings.Builder
	for _, p := range parts {
		fmt.Fprint(&b, p)
	}
	return v.L.T(b.String())
}

// AreaName names a place of the region: a kecamatan, a ward or an institution.
func (v *view) AreaName(scope string) string { return v.Region.PlaceName(scope) }

// wardOptions lists the region's wards, grouped by kecamatan.
func wardOptions(r *partnership.Region) []option {
	var out []option
	for _, k := range r.Kecamatan {
		for _, w := range k.Wards {
			out = append(out, option{Value: w.Code, Label: w.Name, Group: k.Name})
		}
	}
	return out
}

// --- errors as pages ---

// pageError answers an error on a page route with a page in the reader's
// language: a sign-in form for a reader who must sign in first, else the
// status with what it means.
func pageError(c *fiber.Ctx, status int, err error) error {
	rr, _ := c.Locals(localRegion).(*regionRequest)
	if status == http.StatusUnauthorized && rr != nil && rr.tenant != nil && c.Method() == fiber.MethodGet {
		return c.Redirect(rr.base+"/signin?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	key := "error.status.other"
	switch status {
	case http.StatusNotFound, http.StatusForbidden, http.StatusUnauthorized, http.StatusBadRequest,
		http.StatusConflict, http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusInternalServerError:
		key = "error.status." + strconv.Itoa(status)
	}
	var v *view
	if rr != nil && rr.tenant != nil {
		v = newView(c, "error")
		v.Demo = false // an error page offers no demo sign-in
	} else {
		lang := i18n.Negotiate(c.Query("lang"), c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage), []string{"id", "en"})
		v = &view{L: catalogs.For(lang, nil), Region: &partnership.Region{Name: "Pilar"}, Form: &form{}}
	}
	v.Title = v.L.T(key)
	v.Status = status
	detail := ""
	if status == http.StatusInternalServerError {
		detail = requestID(c)
	}
	v.Data = struct{ Message, RequestID string }{v.L.T(key + ".text"), detail}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return render(c, v, "error")
}

// holds reports whether the signed-in account may use the permission at the
// scope, for showing a form only to those who may submit it.
func holds(c *fiber.Ctx, p policies.Permission, scope string) bool {
	return realmOf(c).May(actorOf(c), p, scope)
}

// lenientScope is a scope function for a form: the scope the form names when
// it is a place of the region, else the region's own, so that a bad value is
// refused beside its field by the domain rather than by the route.
func lenientScope(field string) scopeFunc {
	return func(c *fiber.Ctx) (string, error) {
		rr := regionOf(c)
		s := strings.TrimSpace(c.FormValue(field))
		if s != "" && rr.tenant.Region.ScopeLevel(s) != "" {
			return s, nil
		}
		return rr.root, nil
	}
}

// complaintFormScope is where a complaint from the form is: its institution,
// else its ward, else the region.
func complaintFormScope(c *fiber.Ctx) (string, error) {
	r := regionOf(c).tenant.Region
	if in := c.FormValue("institution"); in != "" && r.ScopeLevel(in) == "institution" {
		return in, nil
	}
	return lenientScope("ward")(c)
}
