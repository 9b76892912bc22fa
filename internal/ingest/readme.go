package ingest

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// The dataset's README (seeds/README.md) is written by hand, except the
// sections between <!-- generated:NAME --> and <!-- /generated:NAME -->:
// the kinds and relation types (from the registry), the figures (from the
// files) and the list of sources. RenderREADME rewrites those sections, so
// they cannot drift from the registry or the data.

var generatedRE = regexp.MustCompile(`(?s)(<!-- generated:([a-z-]+) -->\n).*?(<!-- /generated:([a-z-]+) -->)`)

// RenderREADME returns readme with every generated section rewritten from
// the registry and the parsed files. An unknown section name is an error.
func RenderREADME(readme string, p *Parsed) (string, error) {
	sections := map[string]func(*Parsed) string{
		"kinds": kindsSection, "types": typesSection, "figures": figuresSection, "sources": sourcesSection,
	}
	var bad error
	out := generatedRE.ReplaceAllStringFunc(readme, func(m string) string {
		g := generatedRE.FindStringSubmatch(m)
		render, ok := sections[g[2]]
		if !ok || g[2] != g[4] {
			bad = fmt.Errorf("seeds README: unknown or unclosed generated section %q", g[2])
			return m
		}
		return g[1] + render(p) + g[3]
	})
	return out, bad
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func kindsSection(p *Parsed) string {
	n := map[domain.Kind]int{}
	for _, e := range p.Dataset.Entities {
		n[e.Kind]++
	}
	var b strings.Builder
	b.WriteString("| kind | meaning | in the dataset |\n|---|---|---|\n")
	for _, k := range domain.Kinds() {
		fmt.Fprintf(&b, "| `%s` | %s | %d |\n", k.Kind, mdCell(k.Description), n[k.Kind])
	}
	return b.String()
}

func typesSection(p *Parsed) string {
	n := map[string]int{}
	for _, r := range p.Dataset.Relations {
		n[r.Type]++
	}
	var b strings.Builder
	b.WriteString("Responsibility: \"from\" = the from-entity answers for the to-entity; \"to\" = the reverse; \"none\" = context, never followed by a chain.\n\n")
	b.WriteString("| type | responsibility | meaning | in the dataset |\n|---|---|---|---|\n")
	for _, t := range domain.RelationTypes() {
		resp := map[domain.Responsibility]string{domain.FromIsResponsible: "from", domain.ToIsResponsible: "to"}[t.Responsibility]
		if resp == "" {
			resp = "none"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d |\n", t.Name, resp, mdCell(t.Meaning), n[t.Name])
	}
	return b.String()
}

func figuresSection(p *Parsed) string {
	d := &p.Dataset
	grades := map[string]domain.Grade{}
	for _, s := range d.Sources {
		grades[s.ID] = s.Grade
	}
	grade := func(id string) (domain.Grade, bool) { g, ok := grades[id]; return g, ok }
	perFile := map[string][4]int{}
	for sec, ws := range p.pos {
		i := map[string]int{domain.SectionSources: 0, domain.SectionEntities: 1, domain.SectionRelations: 2, domain.SectionCounterClaims: 3}[sec]
		for _, w := range ws {
			c := perFile[filepath.Base(w.file)]
			c[i]++
			perFile[filepath.Base(w.file)] = c
		}
	}
	files := make([]string, 0, len(perFile))
	for f := range perFile {
		files = append(files, f)
	}
	sort.Strings(files)
	var b strings.Builder
	fmt.Fprintf(&b, "%d sources, %d entities, %d relations, %d counter-claims.\n\n", len(d.Sources), len(d.Entities), len(d.Relations), len(d.CounterClaims))
	b.WriteString("| file | sources | entities | relations | counter-claims |\n|---|---|---|---|---|\n")
	for _, f := range files {
		c := perFile[f]
		fmt.Fprintf(&b, "| `%s` | %d | %d | %d | %d |\n", f, c[0], c[1], c[2], c[3])
	}

	conf := map[domain.Confidence]int{}
	strength := map[domain.Strength]int{}
	inferred, ab, dated, contested := 0, 0, 0, map[string]bool{}
	for _, cc := range d.CounterClaims {
		contested[cc.Contests] = true
	}
	for i := range d.Relations {
		r := &d.Relations[i]
		conf[r.Confidence]++
		r.BestGrade = domain.BestGrade(r.Citations, grade)
		strength[r.Strength()]++
		if r.Inferred {
			inferred++
		}
		if r.BestGrade == "A" || r.BestGrade == "B" {
			ab++
		}
		if from, _ := r.KnownPeriod(); !from.IsZero() {
			dated++
		}
	}
	pct := func(n int) string {
		if len(d.Relations) == 0 {
			return "0 %"
		}
		return fmt.Sprintf("%.0f %%", 100*float64(n)/float64(len(d.Relations)))
	}
	b.WriteString("\n| relations | count | share |\n|---|---|---|\n")
	for _, c := range domain.Confidences() {
		fmt.Fprintf(&b, "| %s | %d | %s |\n", c, conf[c], pct(conf[c]))
	}
	fmt.Fprintf(&b, "| of which inferred (reported) | %d | %s |\n", inferred, pct(inferred))
	for _, s := range []domain.Strength{domain.StrengthStrong, domain.StrengthModerate, domain.StrengthWeak} {
		fmt.Fprintf(&b, "| strength %s | %d | %s |\n", strings.ToLower(s.String()), strength[s], pct(strength[s]))
	}
	fmt.Fprintf(&b, "| resting on at least one A or B source | %d | %s |\n", ab, pct(ab))
	fmt.Fprintf(&b, "| dated (a start, an end or an attestation) | %d | %s |\n", dated, pct(dated))
	fmt.Fprintf(&b, "| contested by a counter-claim | %d | %s |\n", countRelations(d, contested), pct(countRelations(d, contested)))

	byGrade := map[domain.Grade]int{}
	mirrors := 0
	for _, s := range d.Sources {
		byGrade[s.Grade]++
		if s.MirrorOf != "" {
			mirrors++
		}
	}
	b.WriteString("\n| sources by grade | count |\n|---|---|\n")
	for _, g := range domain.Grades() {
		fmt.Fprintf(&b, "| %s | %d |\n", g, byGrade[g])
	}
	fmt.Fprintf(&b, "| of which mirrors, reprints or copies (grade C, `mirrorOf` set) | %d |\n", mirrors)

	byKind := map[domain.CounterClaimKind]int{}
	for _, cc := range d.CounterClaims {
		byKind[cc.Kind]++
	}
	b.WriteString("\n| counter-claims by kind | count |\n|---|---|\n")
	for _, k := range domain.CounterClaimKinds() {
		fmt.Fprintf(&b, "| %s | %d |\n", k, byKind[k])
	}
	return b.String()
}

func countRelations(d *domain.Dataset, ids map[string]bool) int {
	n := 0
	for _, r := range d.Relations {
		if ids[r.ID] {
			n++
		}
	}
	return n
}

func sourcesSection(p *Parsed) string {
	ss := append([]domain.Source(nil), p.Dataset.Sources...)
	sort.Slice(ss, func(i, j int) bool { return ss[i].ID < ss[j].ID })
	var b strings.Builder
	b.WriteString("| id | title | publisher | original (for a copy) | type | grade | address |\n|---|---|---|---|---|---|---|\n")
	for _, s := range ss {
		addr := s.URL
		if addr == "" {
			addr = s.Document
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s |\n", s.ID, mdCell(s.Title), mdCell(s.Publisher), mdCell(s.MirrorOf), s.Type, s.Grade, mdCell(addr))
	}
	return b.String()
}
