package domain

import "fmt"

// Dataset is a set of sources, entities, relations and counter-claims to be
// checked and loaded together.
type Dataset struct {
	Sources       []Source
	Entities      []Entity
	Relations     []Relation
	CounterClaims []CounterClaim
}

// Section names, used in ItemError.
const (
	SectionSources       = "sources"
	SectionEntities      = "entities"
	SectionRelations     = "relations"
	SectionCounterClaims = "counterClaims"
)

// Known describes a stored item that a dataset may name without defining
// it: an entity (its kind), a source (kind KindSource, with its grade and
// date) or a relation (kind KindRelation).
type Known struct {
	Kind      Kind
	Grade     Grade
	Published PartialDate
}

// Pseudo-kinds of Known for items that are not entities.
const (
	KindSource   Kind = "source"
	KindRelation Kind = "relation"
)

// ItemError is a problem with one item of a dataset: the section, the
// item's index in it and the field.
type ItemError struct {
	Section string
	Index   int
	FieldError
}

func (e ItemError) Error() string {
	return fmt.Sprintf("%s[%d].%s: %s", e.Section, e.Index, e.Field, e.Message)
}

// Validate checks every item and every reference between items, and returns
// every problem found (nil when the dataset is sound): bad fields, duplicate
// ids, relations whose ends are missing or of kinds the type does not allow,
// citations of unknown sources, and the sourcing rules that need the cited
// sources' grades and dates (a confirmed relation rests on an A or B source;
// a citation attests no date after its source was published). Items already
// stored can be named through known (nil for none), so a partial dataset
// may refer to them.
func (d *Dataset) Validate(known func(id string) (Known, bool)) []ItemError {
	var out []ItemError
	add := func(sec string, i int, errs []FieldError) {
		for _, e := range errs {
			out = append(out, ItemError{Section: sec, Index: i, FieldError: e})
		}
	}
	seen := map[string]string{} // id -> where first defined
	dup := func(sec string, i int, id string) {
		if id == "" {
			return
		}
		where := fmt.Sprintf("%s[%d]", sec, i)
		if first, ok := seen[id]; ok {
			add(sec, i, []FieldError{{Field: "id", Message: fmt.Sprintf("duplicate id %q (first defined at %s)", truncate(id, 80), first)}})
			return
		}
		seen[id] = where
	}
	lookup := func(id string) (Known, bool) {
		if known == nil {
			return Known{}, false
		}
		return known(id)
	}
	sources := map[string]Known{}
	for i := range d.Sources {
		s := &d.Sources[i]
		add(SectionSources, i, s.Validate())
		dup(SectionSources, i, s.ID)
		sources[s.ID] = Known{Kind: KindSource, Grade: s.Grade, Published: s.Published}
	}
	sourceOf := func(id string) (Known, bool) {
		if k, ok := sources[id]; ok {
			return k, true
		}
		if k, ok := lookup(id); ok && k.Kind == KindSource {
			return k, true
		}
		return Known{}, false
	}
	checkCites := func(sec string, i int, cs []Citation) {
		for j, c := range cs {
			if !ValidSourceID(c.SourceID) {
				continue
			}
			src, ok := sourceOf(c.SourceID)
			switch {
			case !ok:
				add(sec, i, []FieldError{{Field: fmt.Sprintf("cite[%d].source", j), Message: fmt.Sprintf("unknown source %q", c.SourceID)}})
			case !c.Attests.IsZero() && !src.Published.IsZero() && c.Attests.Start() > src.Published.End():
				add(sec, i, []FieldError{{Field: fmt.Sprintf("cite[%d].attests", j), Message: fmt.Sprintf("%s is after the source was published (%s): a source attests nothing later than its own date", c.Attests, src.Published)}})
			}
		}
	}
	kinds := map[string]Kind{}
	for i := range d.Entities {
		e := &d.Entities[i]
		add(SectionEntities, i, e.Validate())
		dup(SectionEntities, i, e.ID)
		checkCites(SectionEntities, i, e.Citations)
		kinds[e.ID] = e.Kind
	}
	kindOf := func(id string) (Kind, bool) {
		if k, ok := kinds[id]; ok {
			return k, true
		}
		if k, ok := lookup(id); ok && k.Kind != KindSource && k.Kind != KindRelation {
			return k.Kind, true
		}
		return "", false
	}
	relations := map[string]bool{}
	for i := range d.Relations {
		r := &d.Relations[i]
		add(SectionRelations, i, r.Validate())
		dup(SectionRelations, i, r.ID)
		relations[r.ID] = true
		checkCites(SectionRelations, i, r.Citations)
		fk, fok := kindOf(r.From)
		tk, tok := kindOf(r.To)
		if !fok && ValidEntityID(r.From) {
			add(SectionRelations, i, []FieldError{{Field: "from", Message: fmt.Sprintf("unknown entity %q", r.From)}})
		}
		if !tok && ValidEntityID(r.To) {
			add(SectionRelations, i, []FieldError{{Field: "to", Message: fmt.Sprintf("unknown entity %q", r.To)}})
		}
		if fok && tok {
			add(SectionRelations, i, r.CheckEndpoints(fk, tk))
		}
		if r.Confidence == "confirmed" && len(r.Citations) > 0 {
			strong, all := false, true
			for _, c := range r.Citations {
				src, ok := sourceOf(c.SourceID)
				all = all && ok
				strong = strong || (ok && (src.Grade == "A" || src.Grade == "B"))
			}
			if all && !strong {
				add(SectionRelations, i, []FieldError{{Field: "confidence", Message: "confirmed needs at least one cited source of grade A or B; on grade-C sources alone it is reported"}})
			}
		}
	}
	for i := range d.CounterClaims {
		cc := &d.CounterClaims[i]
		add(SectionCounterClaims, i, cc.Validate())
		dup(SectionCounterClaims, i, cc.ID)
		checkCites(SectionCounterClaims, i, cc.Citations)
		if cc.Contests != "" {
			_, isEntity := kindOf(cc.Contests)
			k, stored := lookup(cc.Contests)
			if !isEntity && !relations[cc.Contests] && !(stored && k.Kind == KindRelation) {
				add(SectionCounterClaims, i, []FieldError{{Field: "contests", Message: fmt.Sprintf("unknown relation or entity %q", truncate(cc.Contests, 80))}})
			}
		}
		if cc.By != "" {
			if _, ok := kindOf(cc.By); !ok && ValidEntityID(cc.By) {
				add(SectionCounterClaims, i, []FieldError{{Field: "by", Message: fmt.Sprintf("unknown entity %q", cc.By)}})
			}
		}
	}
	return out
}
