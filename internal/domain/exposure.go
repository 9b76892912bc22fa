package domain

import (
	"sort"
	"strings"
)

// Caps of an exposure query.
const (
	// MaxExposureLinks is the most links one exposure answer lists.
	MaxExposureLinks = 200
	// MaxExposureScan bounds the links enumerated before sorting.
	MaxExposureScan = 2000
	// ExposureSupplyDepth is how many supply or ownership steps an exposure
	// follows from the entity to the sites it is exposed through
	// (a buyer ← an intermediary ← a factory).
	ExposureSupplyDepth = 3
	// ExposureChainDepth is how many responsibility steps up it follows from
	// a site to an aiding party.
	ExposureChainDepth = 8
)

// ExposureQuery asks how an entity (a brand, a firm, a factory) is linked to
// the pairing programme and to designation lists.
type ExposureQuery struct {
	ID string
	Time
	First int
}

// Validate checks the query.
func (q ExposureQuery) Validate() error {
	if err := CheckEntityID(q.ID); err != nil {
		return err
	}
	return ExposureFirst.Check(q.First)
}

// ExposureReason says what an exposure link reaches.
type ExposureReason string

const (
	// ExposureAidingParty: a chain of responsibility reaches a party of the
	// pairing programme (an aiding province, city or district: the from-end
	// of a PAIRED_WITH; or a front-line headquarters). The programme itself
	// is reached through them: no responsibility runs up to a programme.
	ExposureAidingParty ExposureReason = "AIDING_PARTY"
	// ExposureDesignation: a designation list names an entity on the way.
	ExposureDesignation ExposureReason = "DESIGNATION"
	// ExposureLabourTransfer: a workplace on the way received transferred
	// workers; the link ends at the transfer's origin or organiser (the
	// from-end of a TRANSFERS_WORKERS_TO). It holds where the sources name
	// where the workers came from but no aiding party answers for that place
	// (a prefecture several provinces share).
	ExposureLabourTransfer ExposureReason = "LABOUR_TRANSFER"
)

// Step is one relation of an exposure link, walked from Start to End
// (outwards from the entity asked about).
type Step struct {
	Relation Relation
	Start    string
	End      string
	InForce  InForce // at the query's date; "" when none was asked
}

// ExposureLink is one way an entity is linked to the programme or a list:
// supply or ownership steps to a site, then responsibility up to an aiding
// party, or a designation of an entity on the way.
type ExposureLink struct {
	Target      string
	Reason      ExposureReason
	Steps       []Step
	Strength    Strength
	WeakestStep int
	Contested   bool
}

// Weigh sets the link's strength (its weakest step's), weakest step and
// whether a step is contested.
func (l *ExposureLink) Weigh() {
	l.Strength, l.WeakestStep, l.Contested = StrengthStrong, 0, false
	for i := range l.Steps {
		r := &l.Steps[i].Relation
		if s := r.Strength(); s < l.Strength {
			l.Strength, l.WeakestStep = s, i
		}
		l.Contested = l.Contested || r.IsContested()
	}
}

// Exposure is every link found from one entity.
type Exposure struct {
	Root      string
	Links     []ExposureLink
	Total     int
	Truncated bool
}

// SortExposure orders links strongest first, then shortest; ties by their
// relation ids, so the order is stable. Links must be weighed.
func SortExposure(ls []ExposureLink) {
	key := func(l ExposureLink) string {
		var b strings.Builder
		for _, s := range l.Steps {
			b.WriteString(s.Relation.ID)
			b.WriteByte('|')
		}
		return b.String()
	}
	sort.SliceStable(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		switch {
		case a.Strength != b.Strength:
			return a.Strength > b.Strength
		case len(a.Steps) != len(b.Steps):
			return len(a.Steps) < len(b.Steps)
		}
		return key(a) < key(b)
	})
}

// ExposureTypes are the relation types an exposure walks from the entity to
// the sites it is exposed through, and which way: a buyer is supplied by a
// factory (SUPPLIES, walked from its to-end), a company owns or operates a
// site (walked from its from-end).
var ExposureTypes = struct{ Backward, Forward []string }{
	Backward: []string{"SUPPLIES"},
	Forward:  []string{"OWNS", "OPERATES"},
}
