package domain

import "fmt"

// Dataset is a set of sources, entities and relations to be checked and
// loaded together.
type Dataset struct {
	Sources   []Source
	Entities  []Entity
	Relations []Relation
}

// Section names, used in ItemError.
const (
	SectionSources   = "sources"
	SectionEntities  = "entities"
	SectionRelations = "relations"
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
// citations of unknown sources. Entities and sources already stored can be
// named through known (nil for none), so a partial dataset may refer to them.
func (d *Dataset) Validate(known func(id string) (Kind, bool)) []ItemError {
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
	sources := map[string]bool{}
	for i := range d.Sources {
		s := &d.Sources[i]
		add(SectionSources, i, s.Validate())
		dup(SectionSources, i, s.ID)
		sources[s.ID] = true
	}
	sourceKnown := func(id string) bool {
		if sources[id] {
			return true
		}
		if known != nil {
			_, ok := known(id)
			return ok
		}
		return false
	}
	checkCites := func(sec string, i int, cs []Citation) {
		for j, c := range cs {
			if ValidSourceID(c.SourceID) && !sourceKnown(c.SourceID) {
				add(sec, i, []FieldError{{Field: fmt.Sprintf("cite[%d].source", j), Message: fmt.Sprintf("unknown source %q", c.SourceID)}})
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
		if known != nil {
			return known(id)
		}
		return "", false
	}
	for i := range d.Relations {
		r := &d.Relations[i]
		add(SectionRelations, i, r.Validate())
		dup(SectionRelations, i, r.ID)
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
	}
	return out
}
