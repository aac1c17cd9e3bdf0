package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"pilar.id/pilar/apiserver/partnership"
)

type kecamatanRow struct {
	bun.BaseModel `bun:"table:kecamatan"`
	Code          string `bun:",pk"`
	Name          string
}

type wardRow struct {
	bun.BaseModel `bun:"table:wards"`
	Code          string `bun:",pk"`
	KecamatanCode string
	Name          string
	Kind          string
	Population    int64
	RW            int32 `bun:"rw"`
}

type institutionRow struct {
	bun.BaseModel `bun:"table:institutions"`
	ID            int64 `bun:",pk,autoincrement"`
	Key           string
	WardCode      string
	Type          string
	RW            int `bun:"rw"`
	Name          string
}

type settingRow struct {
	bun.BaseModel `bun:"table:settings"`
	Key           string `bun:",pk"`
	Value         string
}

const areasHashKey = "areas.hash"

// SyncAreas makes the database's administrative tree and institutions match
// the region's regulations: areas and institutions are added or renamed, never
// deleted, since data may refer to them. It does nothing when the tree is
// unchanged since the last sync.
func SyncAreas(ctx context.Context, db bun.IDB, r *partnership.Region) error {
	ks := make([]kecamatanRow, 0, len(r.Kecamatan))
	var ws []wardRow
	for _, k := range r.Kecamatan {
		ks = append(ks, kecamatanRow{Code: k.Code, Name: k.Name})
		for _, w := range k.Wards {
			ws = append(ws, wardRow{Code: w.Code, KecamatanCode: k.Code, Name: w.Name, Kind: w.Kind, Population: w.Population, RW: w.RW})
		}
	}
	insts := r.Institutions()
	is := make([]institutionRow, 0, len(insts))
	for _, in := range insts {
		is = append(is, institutionRow{Key: in.Key, WardCode: in.WardCode, Type: in.Type, RW: in.RW, Name: in.Name})
	}
	h := sha256.New()
	for _, k := range ks {
		fmt.Fprintf(h, "k|%s|%s\n", k.Code, k.Name)
	}
	for _, w := range ws {
		fmt.Fprintf(h, "w|%s|%s|%s|%s|%d|%d\n", w.Code, w.KecamatanCode, w.Name, w.Kind, w.Population, w.RW)
	}
	for _, in := range is {
		fmt.Fprintf(h, "i|%s|%s\n", in.Key, in.Name)
	}
	sum := hex.EncodeToString(h.Sum(nil))

	if current, _, err := Setting(ctx, db, areasHashKey); err != nil || current == sum {
		return err
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if len(ks) > 0 {
			if _, err := tx.NewInsert().Model(&ks).On("CONFLICT (code) DO UPDATE").Set("name = EXCLUDED.name").Exec(ctx); err != nil {
				return fmt.Errorf("store: unable to sync kecamatan: %w", err)
			}
		}
		for start := 0; start < len(ws); start += 500 {
			chunk := ws[start:min(start+500, len(ws))]
			if _, err := tx.NewInsert().Model(&chunk).On("CONFLICT (code) DO UPDATE").
				Set("kecamatan_code = EXCLUDED.kecamatan_code, name = EXCLUDED.name, kind = EXCLUDED.kind, population = EXCLUDED.population, rw = EXCLUDED.rw").
				Exec(ctx); err != nil {
				return fmt.Errorf("store: unable to sync wards: %w", err)
			}
		}
		for start := 0; start < len(is); start += 500 {
			chunk := is[start:min(start+500, len(is))]
			if _, err := tx.NewInsert().Model(&chunk).ExcludeColumn("id").On("CONFLICT (key) DO UPDATE").Set("name = EXCLUDED.name").Exec(ctx); err != nil {
				return fmt.Errorf("store: unable to sync institutions: %w", err)
			}
		}
		return SetSetting(ctx, tx, areasHashKey, sum)
	})
}

// AreaCounts are the numbers of kecamatan, wards and institutions stored.
type AreaCounts struct {
	Kecamatan, Wards, Institutions int64
}

// CountAreas counts the stored administrative tree.
func CountAreas(ctx context.Context, db bun.IDB) (AreaCounts, error) {
	var c AreaCounts
	var err error
	if c.Kecamatan, err = db.NewSelect().Model((*kecamatanRow)(nil)).Count(ctx); err != nil {
		return c, fmt.Errorf("store: unable to count kecamatan: %w", err)
	}
	if c.Wards, err = db.NewSelect().Model((*wardRow)(nil)).Count(ctx); err != nil {
		return c, fmt.Errorf("store: unable to count wards: %w", err)
	}
	if c.Institutions, err = db.NewSelect().Model((*institutionRow)(nil)).Count(ctx); err != nil {
		return c, fmt.Errorf("store: unable to count institutions: %w", err)
	}
	return c, nil
}

// Setting reads one of the settings the store keeps for the server, such as
// which demo data a region was seeded with; ok is false for one never set.
func Setting(ctx context.Context, db bun.IDB, key string) (value string, ok bool, err error) {
	var s settingRow
	err = db.NewSelect().Model(&s).Where("key = ?", key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: unable to read setting %s: %w", key, err)
	}
	return s.Value, true, nil
}

// SetSetting sets a setting, replacing its value if it had one.
func SetSetting(ctx context.Context, db bun.IDB, key, value string) error {
	if _, err := db.NewInsert().Model(&settingRow{Key: key, Value: value}).On("CONFLICT (key) DO UPDATE").Set("value = EXCLUDED.value").Exec(ctx); err != nil {
		return fmt.Errorf("store: unable to record setting %s: %w", key, err)
	}
	return nil
}
