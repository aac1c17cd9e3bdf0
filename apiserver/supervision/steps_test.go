package supervision

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"pilar.id/pilar/apiserver/audit"
	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/step/steptest"
	"pilar.id/pilar/apiserver/store"
	"pilar.id/pilar/policies"
)

// TestEveryStepNeedsItsPermission lists every step of supervision with the
// permission it needs: under a policy that allows nothing, each is refused
// for that permission and changes nothing — an anonymous complaint too,
// although the region's own policy lets the public file one.
func TestEveryStepNeedsItsPermission(t *testing.T) {
	r := steptest.Region(t, "bandung", "")
	everyone := steptest.Everyone(t, r)
	now := time.Now()
	ward := r.Spec.Kecamatan[0].Wards[0].Code
	supervisor := steptest.Account(t, r, "supervisor")

	finding, err := r.Spec.Finding(partnership.NewFinding{Scope: ward, Title: "Laporan terlambat", Detail: "Laporan kegiatan belum masuk."}, supervisor.AccountID(), now)
	steptest.Must(t, err)
	steptest.Stored(t, r, store.InsertFinding, finding)
	complaint := func(escalated bool) int64 {
		cp, err := r.Spec.Complaint(partnership.NewComplaint{Ward: ward, Subject: "Lampu jalan", Body: "Lampu jalan mati sebulan."}, 0, now)
		steptest.Must(t, err)
		if escalated {
			steptest.Must(t, cp.Escalate("tidak ditanggapi", now))
		}
		_, err = store.InsertComplaint(context.Background(), r.DB, cp)
		steptest.Must(t, err)
		return cp.ID
	}
	filed, escalated := complaint(false), complaint(true)

	file := func(anonymous bool) func(ctx context.Context, r *step.Region, a step.Actor) error {
		return func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, _, err := FileComplaint(ctx, r, a, Filing{NewComplaint: partnership.NewComplaint{Ward: ward, Subject: "Sampah", Body: "Sampah tidak diangkut."}, Anonymous: anonymous})
			return err
		}
	}
	moveFinding := func(to partnership.FindingState) func(ctx context.Context, r *step.Region, a step.Actor) error {
		return func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := MoveFinding(ctx, r, a, finding.ID, to, FindingMove{Response: "Sudah dikirim.", Reason: "Belum lengkap."})
			return err
		}
	}
	moveComplaint := func(id int64, to partnership.ComplaintState) func(ctx context.Context, r *step.Region, a step.Actor) error {
		return func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := MoveComplaint(ctx, r, a, id, to, ComplaintMove{Resolution: "Lampu diganti.", Reason: "Tidak ditanggapi."})
			return err
		}
	}

	steptest.Refused(t, r, everyone, []steptest.Case{
		{Step: "RecordFinding", Permission: policies.FindingRecord, Take: func(ctx context.Context, r *step.Region, a step.Actor) error {
			_, err := RecordFinding(ctx, r, a, partnership.NewFinding{Scope: ward, Title: "Temuan", Detail: "Rincian temuan."})
			return err
		}},
		{Step: "MoveFinding respond", Permission: policies.FindingRespond, Take: moveFinding(partnership.FindingResponded)},
		{Step: "MoveFinding close", Permission: policies.FindingRecord, Take: moveFinding(partnership.FindingClosed)},
		{Step: "MoveFinding reopen", Permission: policies.FindingRecord, Take: moveFinding(partnership.FindingOpen)},
		{Step: "FileComplaint", Permission: policies.ComplaintFile, Take: file(false)},
		{Step: "FileComplaint anonymously", Permission: policies.ComplaintFile, Take: file(true)},
		{Step: "MoveComplaint receive", Permission: policies.ComplaintHandle, Take: moveComplaint(filed, partnership.ComplaintReceived)},
		{Step: "MoveComplaint investigate", Permission: policies.ComplaintHandle, Take: moveComplaint(filed, partnership.ComplaintInvestigating)},
		{Step: "MoveComplaint resolve", Permission: policies.ComplaintHandle, Take: moveComplaint(filed, partnership.ComplaintResolved)},
		{Step: "MoveComplaint escalate", Permission: policies.ComplaintEscalate, Take: moveComplaint(filed, partnership.ComplaintEscalated)},
		{Step: "MoveComplaint investigate, escalated", Permission: policies.ComplaintHandle, Take: moveComplaint(escalated, partnership.ComplaintInvestigating)},
	})
}

// TestComplaintRulesHoldWithoutATransport takes the complaint steps
// directly, as a transport that checks nothing itself would: the steps alone
// keep escalated complaints the ombudsman's, let residents escalate only
// their own, and file an anonymous complaint as the public's.
func TestComplaintRulesHoldWithoutATransport(t *testing.T) {
	ctx := context.Background()
	r := steptest.Region(t, "bandung", "")
	ward := r.Spec.Kecamatan[0].Wards[0].Code
	siti := steptest.Account(t, r, "siti", authz.Grant{Role: policies.Resident, Scope: r.Root})
	budi := steptest.Account(t, r, "budi", authz.Grant{Role: policies.Resident, Scope: r.Root})
	lurah := steptest.Account(t, r, "lurah", authz.Grant{Role: policies.WardOffice, Scope: ward})
	ombudsman := steptest.Account(t, r, "ombudsman", authz.Grant{Role: policies.Ombudsman, Scope: r.Root})
	in := partnership.NewComplaint{Ward: ward, Subject: "Lampu jalan", Body: "Lampu jalan mati sebulan."}

	anon, code, err := FileComplaint(ctx, r, siti, Filing{NewComplaint: in, Anonymous: true})
	if err != nil || code == "" || !anon.Anonymous() || anon.Own {
		t.Fatalf("anonymous filing: %+v, code %q, %v", anon, code, err)
	}
	if e := lastEntry(t, r, anon.ID); e.Actor != "anonymous" || e.ActorRole != string(policies.Public) {
		t.Errorf("an anonymous complaint audited as %s (%s), want anonymous (public)", e.Actor, e.ActorRole)
	}
	own, code, err := FileComplaint(ctx, r, siti, Filing{NewComplaint: in})
	if err != nil || code != "" || !own.Own || own.AccountID != siti.AccountID() {
		t.Fatalf("filing: %+v, code %q, %v", own, code, err)
	}

	refused := func(what string, err error, want error, says string) {
		t.Helper()
		if !errors.Is(err, want) || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: %v, want %v saying %q", what, err, want, says)
		}
	}
	_, err = MoveComplaint(ctx, r, budi, own.ID, partnership.ComplaintEscalated, ComplaintMove{Reason: "lama"})
	refused("a resident escalating another's complaint", err, partnership.ErrForbidden, "residents escalate only their own complaints")
	_, err = MoveComplaint(ctx, r, ombudsman, own.ID, partnership.ComplaintReceived, ComplaintMove{})
	refused("the ombudsman receiving a complaint not escalated", err, partnership.ErrForbidden, "none of your roles may use complaint:handle")
	_, err = MoveComplaint(ctx, r, step.Person(authz.Principal{}), own.ID, partnership.ComplaintReceived, ComplaintMove{})
	refused("nobody signed in receiving a complaint", err, partnership.ErrUnauthenticated, "sign in")

	if v, err := MoveComplaint(ctx, r, siti, own.ID, partnership.ComplaintEscalated, ComplaintMove{Reason: "Tidak ditanggapi."}); err != nil || !v.Ombudsman || !v.Own {
		t.Fatalf("the filer escalating: %+v, %v", v, err)
	}
	_, err = MoveComplaint(ctx, r, lurah, own.ID, partnership.ComplaintResolved, ComplaintMove{Resolution: "Diganti."})
	refused("the ward office resolving an escalated complaint", err, partnership.ErrForbidden, "complaint "+strconv.FormatInt(own.ID, 10)+" is escalated: the ombudsman handles it")
	v, err := MoveComplaint(ctx, r, ombudsman, own.ID, partnership.ComplaintResolved, ComplaintMove{Resolution: "Lampu diganti."})
	if err != nil || v.State != partnership.ComplaintResolved || !v.Handler {
		t.Fatalf("the ombudsman resolving: %+v, %v", v, err)
	}
	if e := lastEntry(t, r, own.ID); e.ActorRole != string(policies.Ombudsman) || e.Public {
		t.Errorf("the resolution audited by %s, public %v; want the ombudsman's grant, private as the complaint is", e.ActorRole, e.Public)
	}
}

// lastEntry is the latest audit entry about a complaint.
func lastEntry(t *testing.T, r *step.Region, id int64) audit.Entry {
	t.Helper()
	es := steptest.Entries(t, r, "complaint", strconv.FormatInt(id, 10))
	if len(es) == 0 {
		t.Fatalf("no audit entries of complaint %d", id)
	}
	return es[len(es)-1]
}
