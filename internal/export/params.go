package export

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Param is one export parameter: the same name in an HTTP query string
// (/export/{format}?name=value) and, as a flag, on the command line.
type Param struct {
	Name  string // HTTP name
	Flag  string // command-line flag name
	Usage string
}

var params = []Param{
	{"ids", "ids", "comma-separated entity ids: their neighbourhood (none of ids, chain, from/to: the whole graph)"},
	{"depth", "depth", "hops around ids, 0 to 3 (default 1)"},
	{"kinds", "kinds", "with ids or the whole graph: only entities of these comma-separated kinds"},
	{"limit", "limit", "with ids or the whole graph: at most this many entities"},
	{"chain", "chain", "the responsibility chains from this entity"},
	{"direction", "direction", "with chain: UP (default) or DOWN"},
	{"from", "from", "with to: the shortest paths between two entities"},
	{"to", "to", "with from"},
	{"types", "types", "only relations of these comma-separated types"},
	{"asOf", "as-of", "only relations in force on this date: YYYY, YYYY-MM or YYYY-MM-DD"},
}

// Params returns the export parameters, in a stable order.
func Params() []Param { return slices.Clone(params) }

// ParseQuery reads export parameters, by their HTTP names, from v (a URL
// query, or the flags the command line was given). It is the one reading
// of them for the HTTP endpoint and the command line. An unknown or
// repeated parameter, a malformed value and a mix of modes (ids with chain,
// direction without chain, …) are BAD_USER_INPUT errors; an empty value
// counts as not given.
func ParseQuery(v map[string][]string) (Query, error) {
	q := Query{Depth: 1}
	get := map[string]string{}
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names) // the first error is the same on every call
	for _, name := range names {
		vals := v[name]
		if !slices.ContainsFunc(params, func(p Param) bool { return p.Name == name }) {
			valid := make([]string, len(params))
			for i, p := range params {
				valid[i] = p.Name
			}
			return q, domain.Errorf(domain.EBADINPUT, "unknown export parameter %q: valid parameters are %s", truncate(name, 40), strings.Join(valid, ", "))
		}
		if len(vals) > 1 {
			return q, domain.Errorf(domain.EBADINPUT, "export parameter %q is given %d times; give it once (lists are comma-separated)", name, len(vals))
		}
		if len(vals) == 1 && strings.TrimSpace(vals[0]) != "" {
			get[name] = strings.TrimSpace(vals[0])
		}
	}
	var err error
	if q.IDs, err = entityIDs("ids", get["ids"]); err != nil {
		return q, err
	}
	for _, p := range []struct {
		name string
		to   *string
	}{{"chain", &q.Chain}, {"from", &q.From}, {"to", &q.To}} {
		if s, ok := get[p.name]; ok {
			if err := domain.CheckEntityID(s); err != nil {
				return q, domain.Errorf(domain.EBADINPUT, "%s: %s", p.name, domain.ErrorMessage(err))
			}
			*p.to = s
		}
	}
	for _, p := range []struct {
		name string
		to   *int
	}{{"depth", &q.Depth}, {"limit", &q.Limit}} {
		if s, ok := get[p.name]; ok {
			n, err := strconv.Atoi(s)
			if err != nil {
				return q, domain.Errorf(domain.EBADINPUT, "%s: %q is not a whole number", p.name, truncate(s, 40))
			}
			*p.to = n
		}
	}
	q.Types = SplitList(get["types"])
	if err := domain.CheckTypes(q.Types); err != nil {
		return q, err
	}
	for _, k := range SplitList(get["kinds"]) {
		q.Kinds = append(q.Kinds, domain.Kind(k))
	}
	if err := domain.CheckKinds(q.Kinds); err != nil {
		return q, err
	}
	if s, ok := get["asOf"]; ok {
		if q.AsOf, err = domain.ParsePartialDate(s); err != nil {
			return q, domain.Errorf(domain.EBADINPUT, "asOf: %v", err) // a plain error that quotes the input, truncated
		}
	}
	if s, ok := get["direction"]; ok {
		switch strings.ToUpper(s) {
		case "UP":
		case "DOWN":
			q.Down = true
		default:
			return q, domain.Errorf(domain.EBADINPUT, "direction: %q is neither UP nor DOWN", truncate(s, 40))
		}
	}

	// One mode at a time: a parameter another mode would ignore is a
	// mistake to report, not to drop silently.
	has := func(names ...string) []string {
		var out []string
		for _, n := range names {
			if _, ok := get[n]; ok {
				out = append(out, n)
			}
		}
		return out
	}
	switch {
	case q.Chain != "":
		if extra := has("ids", "from", "to", "depth", "kinds", "limit"); len(extra) > 0 {
			return q, domain.Errorf(domain.EBADINPUT, "chain takes direction, types and asOf, not %s", strings.Join(extra, ", "))
		}
	case q.From != "" || q.To != "":
		if q.From == "" || q.To == "" {
			return q, domain.Errorf(domain.EBADINPUT, "give both from and to")
		}
		if extra := has("ids", "depth", "kinds", "limit", "direction"); len(extra) > 0 {
			return q, domain.Errorf(domain.EBADINPUT, "from and to take types and asOf, not %s", strings.Join(extra, ", "))
		}
	default:
		if _, ok := get["direction"]; ok {
			return q, domain.Errorf(domain.EBADINPUT, "direction needs chain")
		}
		sq := domain.SubgraphQuery{IDs: q.IDs, Depth: q.Depth, Types: q.Types, Kinds: q.Kinds, Time: domain.Time{AsOf: q.AsOf}, Limit: q.Limit}
		if _, given := get["limit"]; !given {
			sq.Limit = domain.MaxExportLimit // the caller's cap applies later
		}
		if err := sq.Validate(domain.MaxExportLimit); err != nil {
			return q, err
		}
	}
	return q, nil
}

func entityIDs(name, s string) ([]string, error) {
	ids := SplitList(s)
	for _, id := range ids {
		if err := domain.CheckEntityID(id); err != nil {
			return nil, domain.Errorf(domain.EBADINPUT, "%s: %s", name, domain.ErrorMessage(err))
		}
	}
	return ids, nil
}

// Whole reports whether q asks for the whole graph.
func (q Query) Whole() bool { return q.Chain == "" && q.From == "" && q.To == "" && len(q.IDs) == 0 }

// Describe returns what q exports: the entity it is about and the mode,
// as parts of a file name, and a title for the file's header.
func (q Query) Describe() (entity, mode, title string) {
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
