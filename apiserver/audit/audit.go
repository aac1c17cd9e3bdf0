// Package audit keeps a region's append-only, tamper-evident audit log.
//
// Every state change, role grant and policy change in a region is recorded as
// an Entry in the region's own database, by calling Append inside the same
// transaction as the change: the change and its record commit together or not
// at all.
//
// # The chain
//
// Entries are numbered 1, 2, 3, ... with no gaps. Each entry stores the hash
// of the entry before it (PrevHash; entry 1 stores the genesis hash, 64
// zeros) and its own hash:
//
//	hash = hex(sha256(prev_hash + "\n" + canonical encoding of the entry))
//
// The canonical encoding is one line per field, in this order, each line
// "name=" followed by the byte length of the value, a colon, the value and a
// newline, so that no value can spill into the next:
//
//	seq=1:1
//	at=27:2016-03-01T02:03:04.123456Z
//	actor=3:a42
//	actor_role=11:ward-office
//	actor_scope=13:32.73.01.1001
//	action=15:proposal:decide
//	object_type=8:proposal
//	object_id=2:17
//	decision=0:
//	before=4:null
//	after=19:{"status":"funded"}
//	public=4:true
//
// seq is decimal; at is the time in UTC, truncated to microseconds (what
// PostgreSQL stores), in RFC 3339 with the fraction's trailing zeros dropped;
// before and after are the canonical JSON stored in before_json and
// after_json (object keys sorted, no insignificant white space, numbers as
// given), or "null" when there is none; public is "true" or "false". The
// encoding is fixed: changing it would break every existing chain.
//
// A single-row head (audit_head) holds the seq and hash of the newest entry.
// Append takes the next seq by updating that row, which locks it until the
// caller's transaction ends, so concurrent appenders take turns and can never
// fork the chain or reuse a seq; a rolled-back transaction rolls the head
// back too, leaving no gap.
//
// Verify walks the log and recomputes every hash, so an entry changed in
// place, an entry deleted, an entry rewritten with its hash recomputed and a
// truncated log are all detected, and the report names the first entry that
// cannot be trusted. What the chain cannot detect on its own is a rewrite of
// every entry from some point to the end together with the head: anyone who
// needs that guarantee should record the head's hash somewhere the database's
// owner cannot write (a published report, another region's log).
//
// # Personal data
//
// The log keeps before and after images of changed objects, and the log
// cannot be edited afterwards, so secrets and identity numbers must never
// reach it. Append replaces the value of every key in Before and After, at
// any depth, that names sensitive data with "[redacted]", before hashing and
// storing: the clear value is neither stored nor hashed, so it cannot be
// guessed back from the hash either. See [Sensitive] for which keys. Only
// Before and After are redacted; the other fields must not carry personal
// data beyond account ids.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"time"

	"github.com/uptrace/bun"
)

// Genesis is the PrevHash of the first entry and the head's hash while the
// log is empty.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// An Entry is one record of the audit log.
type Entry struct {
	// Seq numbers the entry in the region's log, from 1 without gaps. Append
	// assigns it.
	Seq int64 `json:"seq" bun:"seq,pk"`
	// At is when the change happened, in UTC to the microsecond. Append sets
	// it to the current time when it is zero.
	At time.Time `json:"at"`
	// Actor is the account id of whoever made the change, or "system".
	Actor string `json:"actor"`
	// ActorRole and ActorScope are the role the actor acted in and where it
	// holds it (an area code, an institution).
	ActorRole  string `json:"actorRole"`
	ActorScope string `json:"actorScope"`
	// Action is the permission exercised, e.g. "proposal:decide".
	Action string `json:"action"`
	// ObjectType and ObjectID name what was changed.
	ObjectType string `json:"objectType"`
	ObjectID   string `json:"objectId"`
	// Decision explains what allowed the action: the grant and the policy rule.
	Decision string `json:"decision"`
	// Before and After are the object as it was and as it became, nil when
	// there was none. Sensitive keys are redacted. Read back, numbers are
	// json.Number.
	Before map[string]any `json:"before,omitempty" bun:"-"`
	After  map[string]any `json:"after,omitempty" bun:"-"`
	// Public entries are readable by everyone, the rest only by auditors.
	Public bool `json:"public"`
	// PrevHash and Hash chain the entry to its predecessor. Append sets them.
	PrevHash string `json:"prevHash"`
	Hash     string `json:"hash"`
}

// row is an entry as stored: its fields in their columns (Entry's bun
// tags), but Before and After as their canonical JSON text, which is what
// the hash covers.
type row struct {
	bun.BaseModel `bun:"table:audit_log,alias:a"`
	Entry
	BeforeJSON sql.NullString `bun:"before_json"`
	AfterJSON  sql.NullString `bun:"after_json"`
}

// Append adds e to the log and returns it as stored: with its Seq, At in UTC
// truncated to microseconds, Before and After redacted, and its hashes. The
// Seq, PrevHash and Hash given in e are ignored.
//
// Call it with the transaction that makes the change, so that both commit or
// neither does. Append locks the log's head row until that transaction ends:
// appends in a region take turns, so call it as the transaction's last
// statement to hold the lock briefly. On PostgreSQL the transaction must run
// at READ COMMITTED (the default); at a stricter isolation level a concurrent
// append fails it with a serialization error, to be retried. Given a *bun.DB
// or *bun.Conn rather than a transaction, Append runs in a transaction of its
// own.
func Append(ctx context.Context, db bun.IDB, e Entry) (Entry, error) {
	switch d := db.(type) {
	case *bun.DB:
		return appendInTx(ctx, d, e)
	case *bun.Conn:
		return appendInTx(ctx, d, e)
	}
	if e.Actor == "" {
		return Entry{}, errors.New("audit: unable to append an entry without an actor (use \"system\")")
	}
	if e.Action == "" {
		return Entry{}, errors.New("audit: unable to append an entry without an action")
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	r := row{Entry: e}
	r.At = e.At.UTC().Truncate(time.Microsecond)
	var err error
	if r.BeforeJSON, err = canonicalJSON(e.Before); err != nil {
		return Entry{}, fmt.Errorf("audit: unable to encode the before image: %w", err)
	}
	if r.AfterJSON, err = canonicalJSON(e.After); err != nil {
		return Entry{}, fmt.Errorf("audit: unable to encode the after image: %w", err)
	}

	// Taking the next seq locks the head row until the transaction ends; a
	// concurrent appender waits here and then reads the seq and hash this
	// one leaves behind.
	err = db.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).Scan(&r.Seq, &r.PrevHash)
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, errors.New("audit: the audit head is missing: is the database migrated?")
	}
	if err != nil {
		return Entry{}, fmt.Errorf("audit: unable to take the next seq: %w", err)
	}
	r.Hash = r.chainHash()
	if _, err := db.NewInsert().Model(&r).Exec(ctx); err != nil {
		return Entry{}, fmt.Errorf("audit: unable to insert entry %d: %w", r.Seq, err)
	}
	if _, err := db.NewUpdate().Table("audit_head").Set("hash = ?", r.Hash).Where("id = 1").Exec(ctx); err != nil {
		return Entry{}, fmt.Errorf("audit: unable to advance the head to entry %d: %w", r.Seq, err)
	}
	return r.entry()
}

func appendInTx(ctx context.Context, db bun.IDB, e Entry) (Entry, error) {
	var out Entry
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = Append(ctx, tx, e)
		return err
	})
	return out, err
}

// chainHash computes the entry's hash from its stored fields and PrevHash.
func (r *row) chainHash() string {
	h := sha256.New()
	h.Write([]byte(r.PrevHash))
	h.Write([]byte{'\n'})
	field(h, "seq", strconv.FormatInt(r.Seq, 10))
	field(h, "at", r.At.UTC().Format(time.RFC3339Nano))
	field(h, "actor", r.Actor)
	field(h, "actor_role", r.ActorRole)
	field(h, "actor_scope", r.ActorScope)
	field(h, "action", r.Action)
	field(h, "object_type", r.ObjectType)
	field(h, "object_id", r.ObjectID)
	field(h, "decision", r.Decision)
	field(h, "before", jsonOrNull(r.BeforeJSON))
	field(h, "after", jsonOrNull(r.AfterJSON))
	field(h, "public", strconv.FormatBool(r.Public))
	return hex.EncodeToString(h.Sum(nil))
}

func field(h hash.Hash, name, value string) {
	fmt.Fprintf(h, "%s=%d:%s\n", name, len(value), value)
}

func jsonOrNull(s sql.NullString) string {
	if !s.Valid {
		return "null"
	}
	return s.String
}

// entry turns a stored row back into an Entry.
func (r *row) entry() (Entry, error) {
	e := r.Entry
	e.At = r.At.UTC()
	var err error
	if e.Before, err = decodeImage(r.BeforeJSON); err != nil {
		return Entry{}, fmt.Errorf("audit: unable to decode the before image of entry %d: %w", r.Seq, err)
	}
	if e.After, err = decodeImage(r.AfterJSON); err != nil {
		return Entry{}, fmt.Errorf("audit: unable to decode the after image of entry %d: %w", r.Seq, err)
	}
	return e, nil
}

// canonicalJSON encodes m with sensitive keys redacted, object keys sorted
// and numbers as given; nil stays NULL. The map is round-tripped through a
// generic value, so structs inside it come out the same way and m itself is
// left untouched.
func canonicalJSON(m map[string]any) (sql.NullString, error) {
	if m == nil {
		return sql.NullString{}, nil
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return sql.NullString{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return sql.NullString{}, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(redact(v)); err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: string(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})), Valid: true}, nil
}

func decodeImage(s sql.NullString) (map[string]any, error) {
	if !s.Valid {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s.String)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}
