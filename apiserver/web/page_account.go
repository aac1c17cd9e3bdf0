package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/audit"
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

// signInSubmit checks the username and password as the API's sign-in does,
// throttled the same way, and starts a session.
func signInSubmit(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		v := newView(c, o, "signin")
		f := formOf(c)
		v.Form = f
		v.Data = struct{ Next string }{f.Get("next")}
		username, password := strings.TrimSpace(f.Get("username")), f.Get("password")
		if username == "" {
			f.fail("username", v.L.T("error.required"))
		}
		if password == "" {
			f.fail("password", v.L.T("error.required"))
		}
		if f.Failed() {
			v.Status = fiber.StatusUnprocessableEntity
			return render(c, v, "signin")
		}
		now := o.now()
		if ok, until := o.Throttle.Allow(username, c.IP(), now); !ok {
			c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(until.Sub(now).Seconds())+1))
			f.General = v.L.T("error.throttled.until", v.L.DateTime(until))
			v.Status = fiber.StatusTooManyRequests
			return render(c, v, "signin")
		}
		ctx, db := c.UserContext(), rr.db
		a, err := authz.AccountByUsername(ctx, db, username)
		ok := false
		if err == nil && a.DisabledAt == nil {
			if ok, err = authz.VerifyPassword(a.PasswordHash, password); err != nil {
				return err
			}
		}
		if !ok {
			o.Throttle.Fail(username, c.IP(), now)
			f.General = v.L.T("error.signin")
			delete(f.Values, "password")
			v.Status = fiber.StatusUnauthorized
			return render(c, v, "signin")
		}
		o.Throttle.Succeed(username)
		if err := startSession(c, o, a.ID); err != nil {
			return err
		}
		return redirect(c, safeNext(c, f.Get("next"), "/"), "flash.signedin")
	}
}

func startSession(c *fiber.Ctx, o Options, accountID int64) error {
	rr := regionOf(c)
	now := o.now()
	if rr.session != "" {
		if err := authz.EndSession(c.UserContext(), rr.db, rr.session); err != nil {
			return err
		}
	}
	token, err := authz.StartSession(c.UserContext(), rr.db, accountID, now)
	if err != nil {
		return err
	}
	setSessionCookie(c, o, token, now.Add(authz.SessionAbsolute))
	return nil
}

// signOutSubmit ends the session, if there is one, and goes home.
func signOutSubmit(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		if rr.session != "" {
			if err := authz.EndSession(c.UserContext(), rr.db, rr.session); err != nil {
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
// then signs the new resident in.
func registerSubmit(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		v := newView(c, o, "register")
		f := formOf(c)
		v.Form = f
		in := authz.NewAccount{Username: strings.TrimSpace(f.Get("username")), DisplayName: f.Get("displayName"), Password: f.Get("password"), NIK: strings.TrimSpace(f.Get("nik"))}
		if f.Get("password2") != in.Password {
			f.fail("password2", v.L.T("error.password2"))
		}
		var a *authz.Account
		err := errFormFailed
		if !f.Failed() {
			err = change(c, func(ctx context.Context, tx bun.Tx) (record, error) {
				var err error
				if a, err = authz.CreateAccount(ctx, tx, rr.tenant.NIK, in, o.now()); err != nil {
					return record{}, err
				}
				g := &authz.Grant{AccountID: a.ID, Role: policies.Resident, Scope: rr.tenant.Region.Code, CreatedAt: o.now().UTC()}
				if err := authz.AddGrant(ctx, tx, g); err != nil {
					return record{}, err
				}
				return record{
					Action: string(policies.AccountRegister), ObjectType: "account", ObjectID: strconv.FormatInt(a.ID, 10),
					After: map[string]any{"username": a.Username, "displayName": a.DisplayName, "role": g.Role, "scope": g.Scope},
				}, nil
			})
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
		if err := startSession(c, o, a.ID); err != nil {
			return err
		}
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

// demoUsername is the demo account of a role.
func demoUsername(role policies.Role) string { return "demo-" + string(role) }

// demoSignIn signs the visitor in as the demo account of the chosen role,
// creating the account and its grant in the region's database on first use.
// Its password is random and never shown: nobody signs in to it otherwise.
func demoSignIn(o Options) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rr := regionOf(c)
		r := rr.tenant.Region
		role := policies.Role(c.FormValue("role"))
		var chosen *demoRole
		for _, d := range demoRoles(r) {
			if d.Role == role {
				chosen = &d
				break
			}
		}
		if chosen == nil {
			return partnership.Invalid("role", "not a demo role")
		}
		var id int64
		err := rr.db.RunInTx(c.UserContext(), nil, func(ctx context.Context, tx bun.Tx) error {
			a, err := authz.AccountByUsername(ctx, tx, demoUsername(role))
			if errors.Is(err, partnership.ErrNotFound) {
				secret := make([]byte, 24)
				rand.Read(secret)
				name := catalogs.For("id", nil).T("role." + string(role))
				if a, err = authz.CreateAccount(ctx, tx, nil, authz.NewAccount{Username: demoUsername(role), DisplayName: "Demo " + name, Password: hex.EncodeToString(secret)}, o.now()); err != nil {
					return err
				}
			}
			if err != nil {
				return err
			}
			id = a.ID
			if err := demoPartner(ctx, tx, r, a, role, o); err != nil {
				return err
			}
			gs, err := authz.GrantsOf(ctx, tx, a.ID)
			if err != nil {
				return err
			}
			for _, g := range gs {
				if g.Role == role && g.Scope == chosen.Scope {
					return nil
				}
			}
			g := &authz.Grant{AccountID: a.ID, Role: role, Scope: chosen.Scope, CreatedAt: o.now().UTC()}
			if err := authz.AddGrant(ctx, tx, g); err != nil {
				return err
			}
			_, err = audit.Append(ctx, tx, audit.Entry{
				Actor: "system", Action: string(policies.GrantManage), ObjectType: "account", ObjectID: strconv.FormatInt(a.ID, 10),
				Decision: "the embedded mode's demo sign-in",
				After:    map[string]any{"username": a.Username, "role": g.Role, "scope": g.Scope},
			})
			return err
		})
		if err != nil {
			return err
		}
		if err := startSession(c, o, id); err != nil {
			return err
		}
		if role == policies.Resident {
			return redirect(c, "/", "flash.demo")
		}
		return redirect(c, "/work", "flash.demo")
	}
}
