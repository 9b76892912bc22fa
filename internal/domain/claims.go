package domain

import (
	"fmt"
	"strings"
)

// Caps on the lists a claim carries: room for every real name and source,
// none for a pasted dump.
const (
	MaxAliases   = 50
	MaxCitations = 50
)

// citationList checks a claim's citations as a list: at most MaxCitations,
// none cited twice (the same source, quote and locator).
func (c *checker) citationList(cs []Citation) {
	if len(cs) > MaxCitations {
		c.add("cite", "at most %d citations (got %d)", MaxCitations, len(cs))
		return
	}
	seen := make(map[Citation]int, len(cs))
	for i, ct := range cs {
		if j, ok := seen[ct]; ok {
			c.add(fmt.Sprintf("cite[%d]", i), "repeats cite[%d]", j)
			continue
		}
		seen[ct] = i
	}
}

// aliasList checks an entity's aliases as a list: at most MaxAliases.
func (c *checker) aliasList(as []string) {
	if len(as) > MaxAliases {
		c.add("aliases", "at most %d aliases (got %d)", MaxAliases, len(as))
	}
}

// relationIDType refuses a relation id that names a relation type other
// than the relation's own: "rel:paired-with:..." is a PAIRED_WITH.
func (c *checker) relationIDType(id, typ string) {
	first, _, _ := strings.Cut(strings.TrimPrefix(id, "rel:"), ":")
	named := strings.ToUpper(strings.ReplaceAll(first, "-", "_"))
	if t, ok := LookupRelationType(named); ok && t.Name != typ {
		c.add("id", "%q names a %s relation, but its type is %s", truncate(id, 80), t.Name, truncate(typ, 80))
	}
}
