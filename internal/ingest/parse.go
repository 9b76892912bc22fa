// Package ingest reads dataset files (YAML, see seeds/README.md), checks them
// with the domain's rules and reports every problem with file, line and
// field, then loads them through the store.
package ingest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Problem is one thing wrong with the input, located as precisely as we can.
type Problem struct {
	File    string
	Line    int
	Field   string // e.g. "relations[3].cite[0].source"; empty for file-level problems
	Message string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc += ":" + strconv.Itoa(p.Line)
	}
	if p.Field != "" {
		return loc + ": " + p.Field + ": " + p.Message
	}
	return loc + ": " + p.Message
}

// Problems is a list of problems; as an error it says how many and lists them.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s):", len(ps))
	for _, p := range ps {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// where locates one item and its fields.
type where struct {
	file   string
	line   int
	id     string
	fields map[string]int // field path -> line
}

// Parsed is a dataset read from files, with where each item came from.
type Parsed struct {
	Dataset domain.Dataset
	pos     map[string][]where // section -> item positions, parallel to the dataset's slices
}

// MaxFileSize caps one input file: the seeds are far smaller, and a bigger
// file is more likely a mistake than a dataset.
const MaxFileSize = 64 << 20

// ParsePaths reads every *.yaml / *.yml file named or found below the named
// directories (sorted, so the result is stable) into one dataset. Syntax and
// shape problems are returned, not stopped at: the caller gets them all.
func ParsePaths(paths []string) (*Parsed, Problems) {
	p := &Parsed{pos: map[string][]where{}}
	var probs Problems
	var files []string
	for _, root := range paths {
		st, err := os.Stat(root)
		if err != nil {
			probs = append(probs, Problem{File: root, Message: errText(err)})
			continue
		}
		if !st.IsDir() {
			files = append(files, root)
			continue
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			probs = append(probs, Problem{File: root, Message: errText(err)})
		}
	}
	sort.Strings(files)
	if len(files) == 0 && len(probs) == 0 {
		probs = append(probs, Problem{File: strings.Join(paths, " "), Message: "no .yaml files found"})
	}
	for _, f := range files {
		data, err := readLimited(f)
		if err != nil {
			probs = append(probs, Problem{File: f, Message: errText(err)})
			continue
		}
		probs = append(probs, p.ParseFile(f, data)...)
	}
	return p, probs
}

func readLimited(name string) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("file is larger than %d MiB", MaxFileSize>>20)
	}
	return os.ReadFile(name)
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// ParseFile adds one file's items to the dataset and returns its problems.
// A zero Parsed is ready to use.
func (p *Parsed) ParseFile(file string, data []byte) Problems {
	if p.pos == nil {
		p.pos = map[string][]where{}
	}
	var probs Problems
	if line, col, bad := firstInvalidUTF8(data); bad {
		return Problems{{File: file, Line: line, Message: fmt.Sprintf("invalid UTF-8 at column %d: save the file as UTF-8", col)}}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Problems{yamlProblem(file, 0, "", err)}
	}
	// A lone "---" is empty too; YAML puts its null on the line after the
	// marker, which may not exist.
	if len(doc.Content) == 0 || (doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null" && doc.Content[0].Value == "") {
		return Problems{{File: file, Message: "file is empty"}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return Problems{{File: file, Line: root.Line, Message: "expected a mapping with the keys sources, entities, relations and counterClaims"}}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		section := key.Value
		switch section {
		case domain.SectionSources, domain.SectionEntities, domain.SectionRelations, domain.SectionCounterClaims:
		default:
			probs = append(probs, Problem{File: file, Line: key.Line, Field: section, Message: "unknown section (expected sources, entities, relations or counterClaims)"})
			continue
		}
		if val.Kind == yaml.ScalarNode && val.Tag == "!!null" {
			continue
		}
		if val.Kind != yaml.SequenceNode {
			probs = append(probs, Problem{File: file, Line: val.Line, Field: section, Message: "expected a list"})
			continue
		}
		for _, item := range val.Content {
			probs = append(probs, p.parseItem(file, section, item)...)
		}
	}
	return probs
}

// firstInvalidUTF8 finds the line and column (1-based, in bytes) of the
// first byte that is not valid UTF-8.
func firstInvalidUTF8(data []byte) (line, col int, bad bool) {
	if utf8.Valid(data) {
		return 0, 0, false
	}
	line, start := 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return line, i - start + 1, true
		}
		if data[i] == '\n' {
			line, start = line+1, i+1
		}
		i += size
	}
	return line, 0, true
}

func yamlProblem(file string, line int, field string, err error) Problem {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	return Problem{File: file, Line: line, Field: field, Message: msg}
}

func (p *Parsed) parseItem(file, section string, item *yaml.Node) Problems {
	w := where{file: file, line: item.Line, fields: map[string]int{}}
	index := len(p.pos[section])
	label := fmt.Sprintf("%s[%d]", section, index)
	if item.Kind != yaml.MappingNode {
		return Problems{{File: file, Line: item.Line, Field: label, Message: "expected a mapping (key: value lines)"}}
	}
	var allowed map[string]bool
	switch section {
	case domain.SectionSources:
		allowed = sourceFields
	case domain.SectionEntities:
		allowed = entityFields
	case domain.SectionCounterClaims:
		allowed = counterClaimFields
	default:
		allowed = relationFields
	}
	var probs Problems
	for i := 0; i+1 < len(item.Content); i += 2 {
		k := item.Content[i]
		if !allowed[k.Value] {
			probs = append(probs, Problem{File: file, Line: k.Line, Field: label + "." + k.Value, Message: "unknown field"})
		}
		if k.Value == "id" {
			w.id = item.Content[i+1].Value
		}
	}
	fieldLines(item, "", w.fields)
	var err error
	switch section {
	case domain.SectionSources:
		var r rawSource
		if err = item.Decode(&r); err == nil {
			s, ferrs := r.toDomain()
			p.Dataset.Sources = append(p.Dataset.Sources, s)
			probs = append(probs, w.problems(label, ferrs)...)
		}
	case domain.SectionEntities:
		var r rawEntity
		if err = item.Decode(&r); err == nil {
			e, ferrs := r.toDomain()
			p.Dataset.Entities = append(p.Dataset.Entities, e)
			probs = append(probs, w.problems(label, ferrs)...)
		}
	case domain.SectionCounterClaims:
		var r rawCounterClaim
		if err = item.Decode(&r); err == nil {
			cc, ferrs := r.toDomain()
			p.Dataset.CounterClaims = append(p.Dataset.CounterClaims, cc)
			probs = append(probs, w.problems(label, ferrs)...)
		}
	default:
		var r rawRelation
		if err = item.Decode(&r); err == nil {
			rel, ferrs := r.toDomain()
			p.Dataset.Relations = append(p.Dataset.Relations, rel)
			probs = append(probs, w.problems(label, ferrs)...)
		}
	}
	if err != nil {
		// The item's shape is wrong; it is not added, so later items keep
		// their own indexes in the report.
		return append(probs, yamlProblem(file, item.Line, label, err))
	}
	p.pos[section] = append(p.pos[section], w)
	return probs
}

// fieldLines records the line of every key path below n ("cite[0].quote").
func fieldLines(n *yaml.Node, prefix string, out map[string]int) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			path := n.Content[i].Value
			if prefix != "" {
				path = prefix + "." + path
			}
			out[path] = n.Content[i].Line
			fieldLines(n.Content[i+1], path, out)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			path := fmt.Sprintf("%s[%d]", prefix, i)
			out[path] = c.Line
			fieldLines(c, path, out)
		}
	}
}

// lineOf finds the line of a field path, falling back to its parents and
// then to the item's own line.
func (w where) lineOf(field string) int {
	for f := field; f != ""; {
		if l, ok := w.fields[f]; ok {
			return l
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			break
		}
		f = f[:i]
	}
	return w.line
}

func (w where) problems(label string, errs []domain.FieldError) Problems {
	var out Problems
	for _, e := range errs {
		out = append(out, w.problem(label, e))
	}
	return out
}

func (w where) problem(label string, e domain.FieldError) Problem {
	if w.id != "" {
		label += " (" + w.id + ")"
	}
	return Problem{File: w.file, Line: w.lineOf(e.Field), Field: label + "." + e.Field, Message: e.Message}
}

// Validate checks the whole dataset with the domain's rules. known, when not
// nil, resolves ids that are not in the files (stored entities, sources and
// relations).
func (p *Parsed) Validate(known func(id string) (domain.Known, bool)) Problems {
	var out Problems
	for _, e := range p.Dataset.Validate(known) {
		w := p.pos[e.Section][e.Index]
		out = append(out, w.problem(fmt.Sprintf("%s[%d]", e.Section, e.Index), e.FieldError))
	}
	return out
}

// Unresolved returns the ids that items refer to but the files do not define.
func (p *Parsed) Unresolved() []string {
	defined := map[string]bool{}
	for _, s := range p.Dataset.Sources {
		defined[s.ID] = true
	}
	for _, e := range p.Dataset.Entities {
		defined[e.ID] = true
	}
	want := map[string]bool{}
	need := func(id string) {
		if id != "" && !defined[id] {
			want[id] = true
		}
	}
	cites := func(cs []domain.Citation) {
		for _, c := range cs {
			need(c.SourceID)
		}
	}
	for _, e := range p.Dataset.Entities {
		cites(e.Citations)
	}
	relations := map[string]bool{}
	for _, r := range p.Dataset.Relations {
		relations[r.ID] = true
		need(r.From)
		need(r.To)
		cites(r.Citations)
	}
	for _, cc := range p.Dataset.CounterClaims {
		if !relations[cc.Contests] {
			need(cc.Contests)
		}
		need(cc.By)
		cites(cc.Citations)
	}
	out := make([]string, 0, len(want))
	for id := range want {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}
