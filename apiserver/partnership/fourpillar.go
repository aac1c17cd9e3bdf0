package partnership

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The four-pillar workflow (government + companies + universities +
// community, coordinated by the CSR forum) is split by object:
//
//	partner.go     companies and universities registering as partners
//	forum.go       the forum's meetings, attendance by pillar, minuted decisions
//	csrplan.go     partners' annual CSR plans and their alignment with priorities
//	csrrequest.go  residents' and communities' CSR requests, claimed by partners
//	programme.go   programmes and the contributions ledger of every pillar
//	idea.go        innovation ideas the forum adopts
//
// This file holds what they share: the pillars, the region's priority areas,
// and the documents partners and requesters attach.

// Stakeholder is one of the four pillars of the four-pillar model: who
// attends a forum meeting, contributes to a programme or posts an idea.
type Stakeholder string

// The four pillars.
const (
	StakeholderGovernment Stakeholder = "government"
	StakeholderCompany    Stakeholder = "company"
	StakeholderUniversity Stakeholder = "university"
	StakeholderCommunity  Stakeholder = "community"
)

// Stakeholders lists the four pillars in the order they are reported.
var Stakeholders = []Stakeholder{StakeholderGovernment, StakeholderCompany, StakeholderUniversity, StakeholderCommunity}

// Known reports whether s is one of the four pillars.
func (s Stakeholder) Known() bool { return slices.Contains(Stakeholders, s) }

// runsFourPillar refuses four-pillar work in a region that does not run the model.
func (r *Region) runsFourPillar() error {
	if r.FourPillar == nil || !r.Runs(FourPillar) {
		return fmt.Errorf("%w: %s does not run the four-pillar model", ErrForbidden, r.Name)
	}
	return nil
}

// PriorityArea finds one of the region's CSR priority areas by its key.
func (f *FourPillarRules) PriorityArea(key string) (PriorityArea, bool) {
	if f == nil {
		return PriorityArea{}, false
	}
	for _, a := range f.PriorityAreas {
		if a.Key == key {
			return a, true
		}
	}
	return PriorityArea{}, false
}

// HasTarget reports whether the area lists the target.
func (a PriorityArea) HasTarget(key string) bool {
	for _, t := range a.Targets {
		if t.Key == key {
			return true
		}
	}
	return false
}

func (f *FourPillarRules) areaKeys() string {
	keys := make([]string, len(f.PriorityAreas))
	for i, a := range f.PriorityAreas {
		keys[i] = a.Key
	}
	return strings.Join(keys, ", ")
}

// checkArea refuses a key that is not one of the region's priority areas.
func (r *Region) checkArea(field, key string) error {
	if _, ok := r.FourPillar.PriorityArea(key); !ok {
		return Invalid(field, "%q is not a priority area of %s (%s)", key, r.Name, r.FourPillar.areaKeys())
	}
	return nil
}

// KecamatanOf returns the code of the kecamatan a ward belongs to, or "".
func (r *Region) KecamatanOf(ward string) string {
	if r.ScopeLevel(ward) != "ward" {
		return ""
	}
	for _, k := range r.Kecamatan {
		if Covers(k.Code, ward) {
			return k.Code
		}
	}
	return ""
}

// fiscalYearBounds is the first instant of a fiscal year and of the next, in the region's time zone.
func (r *Region) fiscalYearBounds(year int) (time.Time, time.Time) {
	loc := r.location()
	return time.Date(year, 1, 1, 0, 0, 0, 0, loc), time.Date(year+1, 1, 1, 0, 0, 0, 0, loc)
}

// --- documents ---

// The limits on documents: each at most MaxDocumentSize bytes, at most
// MaxDocuments per object they are attached to.
const (
	MaxDocumentSize = 2 << 20
	MaxDocuments    = 5
)

// Document is a file attached to a partner registration or a CSR request:
// a participation letter, a proposal, a supporting document. Only PDF, JPEG
// and PNG are accepted, recognised by their first bytes, never by the name or
// the type the sender claims.
type Document struct {
	ID          int64
	OwnerType   string // "partner", "csr-request", ...
	OwnerID     int64
	Purpose     string // e.g. "participation-letter", "proposal", "supporting"
	Name        string
	ContentType string
	Size        int64
	SHA256      string
	Data        []byte
	CreatedAt   time.Time
}

// The purposes of documents.
const (
	PurposeParticipationLetter = "participation-letter"
	PurposeProposal            = "proposal"
	PurposeSupporting          = "supporting"
)

// SniffDocument names the content type of a PDF, JPEG or PNG file from its
// first bytes, or returns "" for anything else.
func SniffDocument(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}):
		return "image/png"
	}
	return ""
}

// NewDocument checks a file sent as field and makes a document of it: a PDF,
// JPEG or PNG of at most MaxDocumentSize bytes, with a printable name.
func NewDocument(field, purpose, name string, data []byte, now time.Time) (*Document, error) {
	if len(data) == 0 {
		return nil, Invalid(field, "the file is empty")
	}
	if len(data) > MaxDocumentSize {
		return nil, Invalid(field, "the file is %d bytes; at most %d (2 MiB) are accepted", len(data), MaxDocumentSize)
	}
	ct := SniffDocument(data)
	if ct == "" {
		return nil, Invalid(field, "only PDF, JPEG and PNG files are accepted")
	}
	name = cleanFileName(name)
	if name == "" {
		name = purpose
	}
	sum := sha256.Sum256(data)
	return &Document{Purpose: purpose, Name: name, ContentType: ct, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		Data: data, CreatedAt: now.UTC()}, nil
}

// cleanFileName keeps the base of a file name, without control characters,
// at most 200 characters long.
func cleanFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	if name == "." || name == "/" {
		return ""
	}
	name = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	return strings.TrimSpace(name)
}
