package web

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"pilar.id/pilar/apiserver/accounts"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/policies"
)

// Signing in and out, registering, and — in the embedded mode only — the demo
// sign-in, as pages.

// safeNext is where to go after signing in: a page of this region, never
// another site.
func safeNext(c *fiber.Ctx, next, fallback string) string {
	base := regionOf(c).base
	if strings.HasPrefix(next, base+"/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return strings.TrimPrefix(next, base)
	}
	return fallback
}

// signInScreen is the sign-in page: after signing in, the reader goes on to next.
var signInScreen = screen{nav: "signin", template: "signin", data: func(c *fiber.Ctx, v *view) (any, error) {
	return struct{ Next string }{given(c, v, "next")}, nil
}}

// signInSubmit checks the username and password as the API's sign-in does
// (accounts.SignIn), throttled the same way, and starts a session.
var signInSubmit = signInScreen.post("", "flash.signedin", func(c *fiber.Ctx, v *view, f *form) (string, error) {
	in := accounts.Credentials{Username: strings.TrimSpace(f.Get("username")), Password: f.Get("password"), Address: c.IP()}
	if in.Username == "" {
		f.fail("username", v.L.T("error.required"))
	}
	if in.Password == "" {
		f.fail("password", v.L.T("error.required"))
	}
	if f.Failed() {
		return "", errFormFailed
	}
	s, err := accounts.SignIn(c.UserContext(), realmOf(c), regionOf(c).throttle, in, regionOf(c).session)
	var th *accounts.Throttled
	switch {
	case errors.As(err, &th):
		retryAfter(c, err)
		f.General = v.L.T("error.throttled.until", v.L.DateTime(th.Until))
		v.Status = fiber.StatusTooManyRequests
		return "", errFormFailed
	case errors.Is(err, partnership.ErrUnauthenticated):
		f.General = v.L.T("error.signin")
		delete(f.Values, "password")
		v.Status = fiber.StatusUnauthorized
		return "", errFormFailed
	case err != nil:
		return "", err
	}
	setSessionCookie(c, s.Token, s.Expires)
	return safeNext(c, f.Get("next"), "/"), nil
})

// signOutSubmit ends the session, if there is one, and goes home.
func signOutSubmit(c *fiber.Ctx) error {
	rr := regionOf(c)
	if rr.session != "" {
		if err := accounts.SignOut(c.UserContext(), rr.realm, rr.session); err != nil {
			return err
		}
	}
	setSessionCookie(c, "", time.Unix(0, 0))
	return redirect(c, "/", "flash.signedout")
}

// registerScreen is the form of a resident's account; the passwords typed
// are never shown again.
var registerScreen = screen{nav: "register", template: "register", data: func(c *fiber.Ctx, v *view) (any, error) {
	delete(v.Form.Values, "password")
	delete(v.Form.Values, "password2")
	return nil, nil
}}

// registerSubmit creates a resident's account as the API's register does,
// then signs the new resident in (accounts.RegisterAndSignIn).
var registerSubmit = registerScreen.post("", "flash.registered", func(c *fiber.Ctx, v *view, f *form) (string, error) {
	in := authz.NewAccount{Username: strings.TrimSpace(f.Get("username")), DisplayName: f.Get("displayName"), Password: f.Get("password"), NIK: strings.TrimSpace(f.Get("nik"))}
	if f.Get("password2") != in.Password {
		f.fail("password2", v.L.T("error.password2"))
		return "", errFormFailed
	}
	_, s, err := accounts.RegisterAndSignIn(c.UserContext(), realmOf(c), actorOf(c), in, regionOf(c).session)
	switch {
	case errors.Is(err, partnership.ErrConflict) && strings.Contains(err.Error(), "username"):
		f.fail("username", v.L.T("error.username.taken"))
		return "", errFormFailed
	case errors.Is(err, partnership.ErrConflict) && strings.Contains(err.Error(), "NIK"):
		f.fail("nik", v.L.T("error.nik.taken"))
		return "", errFormFailed
	case err != nil:
		return "", err
	}
	setSessionCookie(c, s.Token, s.Expires)
	return "/", nil
})

// --- the demo sign-in of the embedded mode ---

// demoRole is a role a visitor of the embedded mode may try, and where it is
// held: a sensible place for it in the region's tree.
type demoRole struct {
	Role  policies.Role
	Scope string
	Four  bool // only where the region runs the four-pillar model
}

// demoRoles lists the roles of the demo sign-in for a region: residents and
// the region's staff at its first kecamatan, ward and institutions.
func demoRoles(r *partnership.Region) []demoRole {
	var kec, ward, rw, pkk string
	if len(r.Kecamatan) > 0 && len(r.Kecamatan[0].Wards) > 0 {
		kec, ward = r.Kecamatan[0].Code, r.Kecamatan[0].Wards[0].Code
		for _, in := range r.InstitutionsOf(ward) {
			if in.Type == "rw" && rw == "" {
				rw = in.Key
			}
			if in.Type == "pkk" && pkk == "" {
				pkk = in.Key
			}
		}
	}
	all := []demoRole{
		{Role: policies.Resident, Scope: r.Code},
		{Role: policies.InstitutionRW, Scope: rw},
		{Role: policies.InstitutionPKK, Scope: pkk},
		{Role: policies.WardOffice, Scope: ward},
		{Role: policies.KecamatanOffice, Scope: kec},
		{Role: policies.RegionalSecretariat, Scope: r.Code},
		{Role: policies.InternalSupervisor, Scope: r.Code},
		{Role: policies.Ombudsman, Scope: r.Code},
		{Role: policies.CSRForumSecretariat, Scope: r.Code, Four: true},
		{Role: policies.Company, Scope: r.Code, Four: true},
		{Role: policies.University, Scope: r.Code, Four: true},
		{Role: policies.RegionalAdmin, Scope: r.Code},
	}
	var out []demoRole
	for _, d := range all {
		if d.Scope != "" && (!d.Four || r.Runs(partnership.FourPillar)) {
			out = append(out, d)
		}
	}
	return out
}

// demoScreen offers the demo roles of the region.
var demoScreen = screen{nav: "demo", template: "demo", data: func(c *fiber.Ctx, v *view) (any, error) {
	return demoRoles(regionOf(c).tenant.Region), nil
}}

// demoSignIn signs the visitor in as the demo account of the chosen role
// (accounts.DemoSignIn), held at the place demoRoles gives it.
func demoSignIn(c *fiber.Ctx) error {
	role := policies.Role(c.FormValue("role"))
	var chosen *demoRole
	for _, d := range demoRoles(realmOf(c).Spec) {
		if d.Role == role {
			chosen = &d
			break
		}
	}
	if chosen == nil {
		return partnership.Invalid("role", "not a demo role")
	}
	name := "Demo " + catalogs.For("id", nil).T("role."+string(role))
	s, err := accounts.DemoSignIn(c.UserContext(), realmOf(c), role, chosen.Scope, name, regionOf(c).session)
	if err != nil {
		return err
	}
	setSessionCookie(c, s.Token, s.Expires)
	if role == policies.Resident {
		return redirect(c, "/", "flash.demo")
	}
	return redirect(c, "/work", "flash.demo")
}
