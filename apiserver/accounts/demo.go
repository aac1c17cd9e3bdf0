package accounts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// DemoActor is the system actor of the embedded mode's demo sign-in.
const DemoActor = "demo-sign-in"

// DemoSignIn signs a visitor of the embedded mode in as the demo account of
// a role, creating the account (named display) and its grant at the scope
// on first use, and for a company or university an approved partner to act
// for. The account's password is random and never shown: nobody signs in to
// it otherwise. The demo sign-in acts as the system actor DemoActor, under
// the region's policy (grant:manage), and is never served in a cluster.
func DemoSignIn(ctx context.Context, r *step.Region, role policies.Role, scope, display, replaced string) (Session, error) {
	username := "demo-" + string(role)
	var id int64
	err := step.Run(ctx, r, step.System(DemoActor), func(ctx context.Context, t *step.Tx) error {
		if err := t.Require(policies.GrantManage, scope); err != nil {
			return err
		}
		acc, err := authz.AccountByUsername(ctx, t, username)
		if errors.Is(err, partnership.ErrNotFound) {
			secret := make([]byte, 24)
			rand.Read(secret)
			acc, err = authz.CreateAccount(ctx, t, nil, authz.NewAccount{Username: username, DisplayName: display, Password: hex.EncodeToString(secret)}, t.Now)
		}
		if err != nil {
			return err
		}
		id = acc.ID
		if err := demoPartner(ctx, t, acc, role); err != nil {
			return err
		}
		g, err := Ensure(ctx, t, acc.ID, role, scope)
		if err != nil || g == nil {
			return err
		}
		t.Audit(step.Record{Action: policies.GrantManage, ObjectType: "account", ObjectID: strconv.FormatInt(acc.ID, 10), After: holdingImage(acc, g)})
		return nil
	})
	if err != nil {
		return Session{}, err
	}
	return start(ctx, r, id, replaced)
}

// demoPartner gives the demo company or university an approved partner
// working in every priority area of the region, so that its queues have
// something to act for.
func demoPartner(ctx context.Context, t *step.Tx, acc *authz.Account, role policies.Role) error {
	r := t.Region.Spec
	if !r.Runs(partnership.FourPillar) || (role != policies.Company && role != policies.University) {
		return nil
	}
	ps, err := store.ListPartners(ctx, t, store.PartnerFilter{AccountID: acc.ID})
	if err != nil || len(ps) > 0 {
		return err
	}
	kind, name := partnership.PartnerCompany, "PT Demo Sejahtera"
	if role == policies.University {
		kind, name = partnership.PartnerUniversity, "Universitas Demo"
	}
	var areas []string
	for _, pa := range r.FourPillar.PriorityAreas {
		areas = append(areas, pa.Key)
	}
	p, err := r.RegisterPartner(partnership.PartnerInput{Kind: kind, Name: name, Areas: areas}, acc.ID, t.Now)
	if err != nil {
		return err
	}
	at := t.Now.UTC()
	p.State, p.ApprovedAt, p.DecidedAt = partnership.PartnerApproved, &at, &at
	if err := store.InsertPartner(ctx, t, p); err != nil {
		return err
	}
	t.Audit(step.Record{Action: policies.PartnerDecide, ObjectType: "partner", ObjectID: strconv.FormatInt(p.ID, 10),
		After: map[string]any{"name": p.Name, "state": p.State, "account": acc.ID}})
	return nil
}
