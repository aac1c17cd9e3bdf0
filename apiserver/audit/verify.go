package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// A Report is what Verify found.
type Report struct {
	// Entries is the number of entries in the log.
	Entries int64 `json:"entries"`
	// OK is true when every entry and the head are intact.
	OK bool `json:"ok"`
	// FirstBroken is the seq of the first entry that is altered or missing,
	// or 0 when the log is intact.
	FirstBroken int64 `json:"firstBroken,omitempty"`
	// Reason says what is wrong with it.
	Reason string `json:"reason,omitempty"`
}

// verifyBatch is how many entries Verify reads at a time.
const verifyBatch = 1000

// Verify walks the whole log in seq order, recomputing each entry's hash and
// checking that seqs run from 1 without gaps, that each entry chains to the
// one before it, and that the head records the last entry. It reports the
// first problem found; an error means the log could not be read.
//
// Given a *bun.DB, Verify reads the log and the head in one snapshot (a
// read-only REPEATABLE READ transaction on PostgreSQL), so appends running
// meanwhile are not mistaken for damage. On SQLite that transaction holds the
// region's only connection for the length of the walk. Given a transaction,
// Verify reads through it as it is.
func Verify(ctx context.Context, db bun.IDB) (Report, error) {
	d, ok := db.(*bun.DB)
	if !ok {
		return verify(ctx, db)
	}
	var opts *sql.TxOptions
	if d.Dialect().Name() == dialect.PG {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	var rep Report
	err := d.RunInTx(ctx, opts, func(ctx context.Context, tx bun.Tx) error {
		var err error
		rep, err = verify(ctx, tx)
		return err
	})
	return rep, err
}

func verify(ctx context.Context, db bun.IDB) (Report, error) {
	var head struct {
		Seq  int64
		Hash string
	}
	err := db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head.Seq, &head.Hash)
	headMissing := errors.Is(err, sql.ErrNoRows)
	if err != nil && !headMissing {
		return Report{}, fmt.Errorf("audit: unable to read the head: %w", err)
	}

	w := walker{want: 1, prev: Genesis}
	for after := int64(0); ; {
		var rows []row
		err := db.NewSelect().Model(&rows).Where("seq > ?", after).OrderExpr("seq ASC").Limit(verifyBatch).Scan(ctx)
		if err != nil {
			return Report{}, fmt.Errorf("audit: unable to read the entries after %d: %w", after, err)
		}
		for i := range rows {
			w.step(&rows[i])
		}
		if len(rows) < verifyBatch {
			break
		}
		after = rows[len(rows)-1].Seq
	}

	if headMissing {
		w.finishWithoutHead()
	} else {
		w.finish(head.Seq, head.Hash)
	}
	w.rep.OK = w.rep.FirstBroken == 0
	return w.rep, nil
}

// A walker checks the entries one by one, in seq order, and keeps the first
// problem it finds.
type walker struct {
	rep  Report
	want int64  // the seq the next entry must carry
	prev string // the stored hash of the entry before it

	// suspect is an entry that is consistent in itself but does not chain to
	// its predecessor: either the predecessor was rewritten with its hash
	// recomputed, or the suspect was. Its successor (or the head) tells
	// which: if that still chains to the suspect's hash, the suspect is
	// original.
	suspect     int64
	suspectHash string
}

func (w *walker) fail(seq int64, format string, args ...any) {
	if w.rep.FirstBroken != 0 {
		return
	}
	w.rep.FirstBroken = seq
	w.rep.Reason = fmt.Sprintf(format, args...)
}

func (w *walker) step(r *row) {
	w.rep.Entries++
	if w.suspect != 0 {
		w.resolve(r.Seq == w.suspect+1 && r.PrevHash == w.suspectHash)
	}
	switch {
	case r.Seq > w.want && r.Seq == w.want+1:
		w.fail(w.want, "entry %d is missing: the log goes from entry %d to entry %d", w.want, w.want-1, r.Seq)
	case r.Seq > w.want:
		w.fail(w.want, "entries %d to %d are missing: the log goes from entry %d to entry %d", w.want, r.Seq-1, w.want-1, r.Seq)
	case r.Seq < w.want:
		w.fail(r.Seq, "entry %d is out of order", r.Seq)
	case r.Hash != r.chainHash():
		w.fail(r.Seq, "entry %d was altered: its hash does not match its contents", r.Seq)
	case r.PrevHash != w.prev && r.Seq == 1:
		w.fail(r.Seq, "entry 1 was altered: it does not chain to the genesis hash")
	case r.PrevHash != w.prev && w.rep.FirstBroken == 0:
		w.suspect, w.suspectHash = r.Seq, r.Hash
	}
	w.want = r.Seq + 1
	w.prev = r.Hash
}

// resolve blames the suspect's predecessor when the suspect's successor
// confirms the suspect's hash, and the suspect otherwise.
func (w *walker) resolve(confirmed bool) {
	n := w.suspect
	w.suspect = 0
	if confirmed {
		w.fail(n-1, "entry %d was altered and its hash recomputed: entry %d still chains to its original hash", n-1, n)
		return
	}
	w.fail(n, "entry %d was altered and its hash recomputed: it no longer chains to entry %d", n, n-1)
}

// finish checks the head against the last entry walked.
func (w *walker) finish(headSeq int64, headHash string) {
	if w.suspect != 0 {
		w.resolve(headSeq == w.suspect && headHash == w.suspectHash)
	}
	last := w.want - 1
	switch {
	case headSeq == last+1:
		w.fail(last+1, "entry %d is missing: the head records entry %d but the log ends at entry %d", last+1, headSeq, last)
	case headSeq > last:
		w.fail(last+1, "entries %d to %d are missing: the head records entry %d but the log ends at entry %d", last+1, headSeq, headSeq, last)
	case headSeq < last:
		w.fail(headSeq+1, "the head was altered, or entries were added behind its back: it records entry %d but the log goes on to entry %d", headSeq, last)
	case headHash != w.prev && last == 0:
		w.fail(1, "the head was altered: the log is empty but the head's hash is not the genesis hash")
	case headHash != w.prev:
		w.fail(last, "entry %d or the head was altered: the head's hash does not match entry %d", last, last)
	}
}

func (w *walker) finishWithoutHead() {
	if w.suspect != 0 {
		w.resolve(false)
	}
	w.fail(max(w.want-1, 1), "the head is missing: nothing vouches for entry %d being the last", w.want-1)
}
