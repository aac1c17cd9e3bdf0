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

func signInPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := newView(c, o, "signin")
		v.Data = struct{ Next string }{c.Query("next")}
		return render(c, v, "signin")
	}
}

// signInSubmit checks the username and password as the API's sign-in does
// (accounts.SignIn), throttled the same way, and starts a session.
func signInSubmit(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := newView(c, o, "signin")
		f := formOf(c)
		v.Form = f
		v.Data = struct{ Next string }{f.Get("next")}
		in := accounts.Credentials{Username: strings.TrimSpace(f.Get("username")), Password: f.Get("password"), Address: c.IP()}
		if in.Username == "" {
			f.fail("username", v.L.T("error.required"))
		}
		if in.Password == "" {
			f.fail("password", v.L.T("error.required"))
		}
		if f.Failed() {
			v.Status = fiber.StatusUnprocessableEntity
			return render(c, v, "signin")
		}
		s, err := accounts.SignIn(c.UserContext(), realmOf(c), o.Throttle, in, regionOf(c).session)
		var th *accounts.Throttled
		switch {
		case errors.As(err, &th):
			retryAfter(c, err)
			f.General = v.L.T("error.throttled.until", v.L.DateTime(th.Until))
			v.Status = fiber.StatusTooManyRequests
			return render(c, v, "signin")
		case errors.Is(err, partnership.ErrUnauthenticated):
			f.General = v.L.T("error.signin")
			delete(f.Values, "password")
			v.Status = fiber.StatusUnauthorized
			return render(c, v, "signin")
		case err != nil:
			return err
		}
		setSessionCookie(c, o, s.Token, s.Expires)
		return redirect(c, safeNext(c, f.Get("next"), "/"), "flash.signedin")
	}
}

// signOutSubmit ends the session, if there is one, and goes home.
func signOutSubmit(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		if rr.session != "" {
			if err := accounts.SignOut(c.UserContext(), rr.realm, rr.session); err != nil {
				return err
			}
		}
		setSessionCookie(c, o, "", time.Unix(0, 0))
		return redirect(c, "/", "flash.signedout")
	}
}

func registerPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return render(c, newView(c, o, "register"), "register")
	}
}

// registerSubmit creates a resident's account as the API's register does,
// then signs the new resident in (accounts.RegisterAndSignIn).
func registerSubmit(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := newView(c, o, "register")
		f := formOf(c)
		v.Form = f
		in := authz.NewAccount{Username: strings.TrimSpace(f.Get("username")), DisplayName: f.Get("displayName"), Password: f.Get("password"), NIK: strings.TrimSpace(f.Get("nik"))}
		if f.Get("password2") != in.Password {
			f.fail("password2", v.L.T("error.password2"))
		}
		var s accounts.Session
		err := errFormFailed
		if !f.Failed() {
			_, s, err = accounts.RegisterAndSignIn(c.UserContext(), realmOf(c), actorOf(c), in, regionOf(c).session)
		}
		if err != nil {
			if err != errFormFailed {
				if errors.Is(err, partnership.ErrConflict) && strings.Contains(err.Error(), "username") {
					f.fail("username", v.L.T("error.username.taken"))
				} else if errors.Is(err, partnership.ErrConflict) && strings.Contains(err.Error(), "NIK") {
					f.fail("nik", v.L.T("error.nik.taken"))
				} else if err := f.refuse(v.L, err); err != nil {
					return err
				}
			}
			delete(f.Values, "password")
			delete(f.Values, "password2")
			v.Status = fiber.StatusUnprocessableEntity
			return render(c, v, "register")
		}
		setSessionCookie(c, o, s.Token, s.Expires)
		return redirect(c, "/", "flash.registered")
	}
}

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
		for _, in := range r.Institutions() {
			if in.WardCode != ward {
				continue
			}
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

func demoPage(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := newView(c, o, "demo")
		v.Data = demoRoles(regionOf(c).tenant.Region)
		return render(c, v, "demo")
	}
}

// demoSignIn signs the visitor in as the demo account of the chosen role
// (accounts.DemoSignIn), held at the place demoRoles gives it.
func demoSignIn(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
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
		setSessionCookie(c, o, s.Token, s.Expires)
		if role == policies.Resident {
			return redirect(c, "/", "flash.demo")
		}
		return redirect(c, "/work", "flash.demo")
	}
}
