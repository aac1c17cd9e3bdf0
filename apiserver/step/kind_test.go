package step_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/authz"
	"pilar.id/pilar/apiserver/partnership"
	"pilar.id/pilar/apiserver/step"
	"pilar.id/pilar/apiserver/step/steptest"
	"pilar.id/pilar/policies"
)

// noteState is a note's state.
type noteState string

// note is a stored object of a kind kept in memory, for the tests of Kind.
type note struct {
	ID    int64
	Ward  string
	State noteState
	Text  string
	Owner int64
}

// notes keeps notes in memory; its Update is guarded by the state a note
// was read in, and records the state it was given.
type notes struct {
	byID map[int64]note
	from []noteState
}

func (s *notes) kind() step.Kind[*note] {
	return step.Kind[*note]{
		Name: "note",
		Get: func(_ context.Context, _ bun.IDB, id int64) (*note, error) {
			n, ok := s.byID[id]
			if !ok {
				return nil, fmt.Errorf("%w: no note %d", partnership.ErrNotFound, id)
			}
			return &n, nil
		},
		Insert: func(_ context.Context, _ bun.IDB, n *note) error {
			n.ID = int64(len(s.byID) + 1)
			s.byID[n.ID] = *n
			return nil
		},
		Update: step.Guarded(func(_ context.Context, _ bun.IDB, n *note, from noteState) error {
			s.from = append(s.from, from)
			if s.byID[n.ID].State != from {
				return fmt.Errorf("%w: note %d changed", partnership.ErrConflict, n.ID)
			}
			s.byID[n.ID] = *n
			return nil
		}),
		Facts: func(n *note) step.Facts {
			return step.Facts{ID: n.ID, Scope: n.Ward, State: string(n.State), Public: n.State == "published", Owner: n.Owner}
		},
		Image: func(n *note) map[string]any { return map[string]any{"state": n.State, "text": n.Text} },
	}
}

// CreateAt decides before anything is made, so that making knows the
// decision and a refusal makes nothing; the entry names where the object
// belongs, and says what the step tells.
func TestCreateAtDecidesBeforeMaking(t *testing.T) {
	ctx := context.Background()
	r := steptest.Region(t, "bandung", "")
	l := &recorder{}
	r.Listener = l
	lurah := steptest.Account(t, r, "lurah", authz.Grant{Role: policies.WardOffice, Scope: "32.73.01.1001"})
	s := &notes{byID: map[int64]note{}}
	made := 0
	draft := func(_ context.Context, tx *step.Tx) (*note, error) {
		made++
		return &note{Ward: "32.73.01.1001/rw-02", State: "drafted", Text: string(tx.Decision().Permission), Owner: 42}, nil
	}
	told := s.kind().Telling(func(n *note, rec *step.Record) { rec.After["told"] = n.Ward }).
		Telling(func(_ *note, rec *step.Record) { rec.Concerns = append(rec.Concerns, 43) })

	_, err := step.CreateAt(ctx, r, lurah, told, policies.MusrenbangDecide, "32.73.01.1002", draft)
	var d *step.Denied
	if !errors.As(err, &d) || d.Scope != "32.73.01.1002" || made != 0 || len(s.byID) != 0 {
		t.Fatalf("another ward's decision: %v, made %d, stored %d", err, made, len(s.byID))
	}
	n, err := step.CreateAt(ctx, r, lurah, told, policies.MusrenbangDecide, "32.73.01.1001", draft)
	if err != nil || n.Text != string(policies.MusrenbangDecide) {
		t.Fatalf("made %+v: %v", n, err)
	}
	es := steptest.Entries(t, r, "note", "")
	want := map[string]any{"state": "drafted", "text": string(policies.MusrenbangDecide), "told": "32.73.01.1001/rw-02"}
	if len(es) != 1 || es[0].ObjectID != "1" || es[0].Before != nil || !reflect.DeepEqual(es[0].After, want) || es[0].Public {
		t.Fatalf("entries %+v", es)
	}
	if e := l.events[0]; e.Scope != "32.73.01.1001/rw-02" || !reflect.DeepEqual(e.Concerns, []int64{42, 43}) {
		t.Errorf("event %+v", e)
	}
}

// Change keeps the image a step keeps, before and after, and hands the
// update the state the object was read in; a step of another shape on an
// object (On) makes and changes objects of a kind beside its own.
func TestChangeKeepsWhatTheStepKeeps(t *testing.T) {
	ctx := context.Background()
	r := steptest.Region(t, "bandung", "")
	lurah := steptest.Account(t, r, "lurah", authz.Grant{Role: policies.WardOffice, Scope: "32.73.01.1001"})
	s := &notes{byID: map[int64]note{1: {ID: 1, Ward: "32.73.01.1001", State: "drafted", Text: "draft"}, 2: {ID: 2, Ward: "32.73.01.1001", State: "drafted"}}}
	k := s.kind()
	states := k.Keeping(func(n *note) map[string]any { return map[string]any{"state": n.State} })
	n, err := step.Change(ctx, r, lurah, states.Telling(func(n *note, rec *step.Record) { rec.After["text"] = n.Text }), 1, policies.MusrenbangDecide,
		func(_ context.Context, _ *step.Tx, n *note) error {
			n.State, n.Text = "published", "final"
			return nil
		})
	if err != nil || n.State != "published" || s.byID[1].Text != "final" || !reflect.DeepEqual(s.from, []noteState{"drafted"}) {
		t.Fatalf("changed %+v, stored %+v, updated from %v: %v", n, s.byID[1], s.from, err)
	}
	es := steptest.Entries(t, r, "note", "")
	if len(es) != 1 || !reflect.DeepEqual(es[0].Before, map[string]any{"state": "drafted"}) ||
		!reflect.DeepEqual(es[0].After, map[string]any{"state": "published", "text": "final"}) || !es[0].Public {
		t.Fatalf("the change's entries %+v", es)
	}

	err = step.On(ctx, r, lurah, k, 2, policies.MusrenbangDecide, func(ctx context.Context, tx *step.Tx, n *note) error {
		before := k.Image(n)
		n.Text = "beside"
		k.Audit(tx, policies.MusrenbangDecide, n, before)
		return k.Add(ctx, tx, policies.MusrenbangDecide, &note{Ward: n.Ward, State: "drafted", Text: "made"})
	})
	if es := steptest.Entries(t, r, "note", ""); err != nil || len(es) != 3 || es[1].ObjectID != "2" || es[1].After["text"] != "beside" ||
		es[2].ObjectID != "3" || es[2].Before != nil || s.byID[3].Text != "made" {
		t.Fatalf("a step on note 2: %v, entries %+v", err, es)
	}
	nothing := func(context.Context, *step.Tx, *note) error { return nil }
	var d *step.Denied
	if err := step.On(ctx, r, lurah, k, 2, policies.GrantManage, nothing); !errors.As(err, &d) || d.Permission != policies.GrantManage {
		t.Errorf("a step the lurah may not take: %v", err)
	}
	if err := step.On(ctx, r, lurah, k, 4, policies.MusrenbangDecide, nothing); !errors.Is(err, partnership.ErrNotFound) {
		t.Errorf("a step on a missing note: %v", err)
	}
}
