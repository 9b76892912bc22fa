package export

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Describe returns what q exports: the entity it is about and the mode,
// as parts of a file name, and a title for the file's header.
func Describe(q domain.ExportQuery) (entity, mode, title string) {
	switch {
	case q.Chain != "":
		dir := "up"
		if q.Down {
			dir = "down"
		}
		return q.Chain, "chain-" + dir, fmt.Sprintf("Responsibility chains %s from %s", dir, q.Chain)
	case q.From != "":
		return q.From + "_to_" + q.To, "paths", fmt.Sprintf("Shortest paths from %s to %s", q.From, q.To)
	case len(q.IDs) > 0:
		entity = q.IDs[0]
		if len(q.IDs) > 1 {
			entity += fmt.Sprintf("_and_%d_more", len(q.IDs)-1)
		}
		return entity, fmt.Sprintf("neighbourhood-depth-%d", q.Depth), fmt.Sprintf("Neighbourhood of %s, depth %d", strings.Join(q.IDs, ", "), q.Depth)
	}
	return "all", "whole-graph", "The whole graph"
}

var fileNameUnsafe = regexp.MustCompile(`[^a-z0-9.-]+`) // "_" separates the parts

// FileName is the name to save an export as: what it is about, the mode
// and the date, e.g. "aidtrace_county-moyu_chain-up_2019-06.graphml".
// date is the as-of date, or the day of the export.
func FileName(entity, mode, date string, f Format) string {
	part := func(s string, n int) string {
		s = fileNameUnsafe.ReplaceAllString(strings.ToLower(s), "-")
		s = strings.Trim(s, ".-")
		if len(s) > n {
			s = strings.TrimRight(s[:n], ".-")
		}
		return s
	}
	parts := []string{"aidtrace"}
	for _, p := range []string{part(entity, 100), part(mode, 40), part(date, 10)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "_") + f.Extension()
}
