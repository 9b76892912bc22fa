package domain

import "strings"

// Strength is how firmly the evidence establishes a claim, from its best
// source grade and its confidence. Chains are as strong as their weakest hop.
type Strength int

const (
	// StrengthWeak: only grade-C sources (mirrors, forums, blogs) support it.
	StrengthWeak Strength = iota
	// StrengthModerate: an A or B source supports it, but it is reported,
	// inferred or disputed.
	StrengthModerate
	// StrengthStrong: confirmed by an A or B source.
	StrengthStrong
)

var strengthNames = []string{"WEAK", "MODERATE", "STRONG"}

func (s Strength) String() string {
	if s < 0 || int(s) >= len(strengthNames) {
		return "WEAK"
	}
	return strengthNames[s]
}

// ParseStrength reads WEAK, MODERATE or STRONG.
func ParseStrength(s string) (Strength, error) {
	for i, n := range strengthNames {
		if strings.EqualFold(s, n) {
			return Strength(i), nil
		}
	}
	return StrengthWeak, Errorf(EBADINPUT, "unknown evidence strength %q (WEAK, MODERATE or STRONG)", truncate(s, 40))
}

// Strengths returns every strength, weakest first.
func Strengths() []Strength { return []Strength{StrengthWeak, StrengthModerate, StrengthStrong} }

// EvidenceStrength is the rule: strong when an A or B source confirms it,
// moderate when an A or B source supports it but it is reported, inferred or
// disputed, weak on grade-C sources alone (or with no graded source).
func EvidenceStrength(best Grade, c Confidence, inferred bool) Strength {
	if best != "A" && best != "B" {
		return StrengthWeak
	}
	if c == "confirmed" && !inferred {
		return StrengthStrong
	}
	return StrengthModerate
}

// BestGrade is the best grade among the sources the citations name
// (grade returns a source's grade); "" when none is known.
func BestGrade(cs []Citation, grade func(sourceID string) (Grade, bool)) Grade {
	var best Grade
	for _, c := range cs {
		g, ok := grade(c.SourceID)
		if ok && g != "" && (best == "" || g < best) {
			best = g
		}
	}
	return best
}

// Grades returns the reliability grades, best first.
func Grades() []Grade { return append([]Grade(nil), grades...) }

// Confidences returns the confidence values.
func Confidences() []Confidence { return append([]Confidence(nil), confidences...) }

// Evidence is what a reader needs to weigh a relation: its best source
// grade, strength, and whether it is inferred or contested.
type Evidence struct {
	BestGrade Grade
	Strength  Strength
	Inferred  bool
	Contested bool // counter-claims exist, or the sources disagree
}

// InForce says whether a relation is known to be in force on a date.
type InForce string

const (
	// KnownInForce: a source puts the date inside the relation's period.
	KnownInForce InForce = "KNOWN"
	// NotKnown: no source puts the date inside its period (undated, or the
	// date is after its last attestation with no known end).
	NotKnown InForce = "NOT_KNOWN"
	// OutOfForce: a stated start is after the date, or a stated end before
	// it. Never shown for that date.
	OutOfForce InForce = "OUT_OF_FORCE"
)

// KnownPeriod is the period the evidence puts the relation in force: from
// its validFrom (or else the earliest date a citation attests, or its
// validTo) to its validTo (or else the latest date attested, or its
// validFrom). Both are zero when nothing dates it.
func (r *Relation) KnownPeriod() (from, to PartialDate) {
	return r.KnownFrom(), r.KnownTo()
}

// KnownFrom is KnownPeriod's start: the stated start, or else the earliest
// date a citation attests or the stated end (the first of equals).
func (r *Relation) KnownFrom() PartialDate {
	if r.Known != nil {
		return r.Known.From
	}
	if !r.ValidFrom.IsZero() {
		return r.ValidFrom
	}
	return r.attested(r.ValidTo, func(d, out PartialDate) bool { return d.Start() < out.Start() })
}

// KnownTo is KnownPeriod's end: the stated end, or else the latest date a
// citation attests or the stated start (the first of equals).
func (r *Relation) KnownTo() PartialDate {
	if r.Known != nil {
		return r.Known.To
	}
	if !r.ValidTo.IsZero() {
		return r.ValidTo
	}
	return r.attested(r.ValidFrom, func(d, out PartialDate) bool { return d.End() > out.End() })
}

// attested is the first of the citations' attested dates and then stated
// that no later one beats, zero dates left out.
func (r *Relation) attested(stated PartialDate, beats func(d, out PartialDate) bool) PartialDate {
	var out PartialDate
	pick := func(d PartialDate) {
		if !d.IsZero() && (out.IsZero() || beats(d, out)) {
			out = d
		}
	}
	for i := range r.Citations {
		pick(r.Citations[i].Attests)
	}
	pick(stated)
	return out
}

// KnownOn reports whether a relation whose known period is from..to is known
// to be in force on d. Partial dates are intervals: the period and d must
// overlap. An undated relation is never known in force; with no date asked
// (d zero) every relation counts.
func KnownOn(from, to, d PartialDate) bool {
	if d.IsZero() {
		return true
	}
	if from.IsZero() || to.IsZero() {
		return false
	}
	return from.Start() <= d.End() && to.End() >= d.Start()
}

// InForceOn says whether the relation is known in force on d, not known,
// or out of force (its stated period excludes d).
func (r *Relation) InForceOn(d PartialDate) InForce {
	from, to := r.KnownPeriod()
	return InForceStatus(r.ValidFrom, r.ValidTo, from, to, d)
}

// InForceStatus is the rule behind InForceOn, from a relation's stated
// period (validFrom..validTo) and its known period (KnownPeriod).
func InForceStatus(validFrom, validTo, knownFrom, knownTo, d PartialDate) InForce {
	if !ActiveOn(validFrom, validTo, d) {
		return OutOfForce
	}
	if KnownOn(knownFrom, knownTo, d) {
		return KnownInForce
	}
	return NotKnown
}

// Strength is the relation's evidence strength (BestGrade must be filled).
func (r *Relation) Strength() Strength {
	return EvidenceStrength(r.BestGrade, r.Confidence, r.Inferred)
}

// IsContested reports whether a reader must see another side: a counter-claim
// contests it, or its sources disagree.
func (r *Relation) IsContested() bool { return r.Contested || r.Confidence == "disputed" }
