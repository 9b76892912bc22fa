package export

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// utf8BOM starts every CSV: see the package documentation for why.
const utf8BOM = "\uFEFF"

// zipTime is the modification time of every file in the zip. A fixed time
// keeps exports of the same data byte-for-byte equal; 1980-01-01 is the
// earliest time the zip format can store.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

func writeCSVZip(w io.Writer, x *index) error {
	z := zip.NewWriter(w)
	files := []struct {
		name  string
		write func(*csv.Writer) error
	}{
		{"nodes.csv", x.writeNodes},
		{"edges.csv", x.writeEdges},
		{"sources.csv", x.writeSources},
		{"citations.csv", x.writeCitations},
	}
	readme, err := create(z, "README.txt")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(readme, x.readme()); err != nil {
		return fmt.Errorf("write README.txt: %w", err)
	}
	for _, f := range files {
		fw, err := create(z, f.name)
		if err != nil {
			return err
		}
		if err := writeTable(fw, f.write); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("close zip: %w", err)
	}
	return nil
}

func create(z *zip.Writer, name string) (io.Writer, error) {
	fw, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime})
	if err != nil {
		return nil, fmt.Errorf("add %s to zip: %w", name, err)
	}
	return fw, nil
}

// writeTable writes the BOM and then the table that write produces.
func writeTable(w io.Writer, write func(*csv.Writer) error) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	if err := write(cw); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func (x *index) writeNodes(cw *csv.Writer) error {
	if err := cw.Write(NodeColumns()); err != nil {
		return err
	}
	j := newJSONText()
	fields := make([]string, len(nodeFields))
	rec := make([]string, 1+len(nodeFields))
	for _, e := range x.entities {
		if err := x.nodeRow(e, j, fields); err != nil {
			return err
		}
		rec[0] = cell(e.ID)
		for i, v := range fields {
			rec[1+i] = cell(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return nil
}

func (x *index) writeEdges(cw *csv.Writer) error {
	if err := cw.Write(EdgeColumns()); err != nil {
		return err
	}
	j := newJSONText()
	fields := make([]string, len(edgeFields))
	rec := make([]string, 3+len(edgeFields))
	for _, r := range x.relations {
		if err := x.edgeRow(r, j, fields); err != nil {
			return err
		}
		rec[0], rec[1], rec[2] = cell(r.ID), cell(r.From), cell(r.To)
		for i, v := range fields {
			rec[3+i] = cell(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return nil
}

func (x *index) writeSources(cw *csv.Writer) error {
	if err := cw.Write(sourceColumns); err != nil {
		return err
	}
	for _, s := range x.sources {
		rec := []string{s.ID, s.Title, s.Publisher, s.MirrorOf, s.URL, s.Document, s.Published.String(), string(s.Type), string(s.Grade), s.Note}
		for i := range rec {
			rec[i] = cell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return nil
}

func (x *index) writeCitations(cw *csv.Writer) error {
	if err := cw.Write(citationColumns); err != nil {
		return err
	}
	rec := make([]string, len(citationColumns))
	write := func(claim, claimType string, cs []domain.Citation) error {
		for _, c := range x.citations(cs) {
			rec[0], rec[1], rec[2], rec[3], rec[4], rec[5] = claim, claimType, c.Source, c.Quote, c.Locator, c.Attests
			rec[6], rec[7], rec[8] = c.Title, c.URL, c.Grade
			for i := range rec {
				rec[i] = cell(rec[i])
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		return nil
	}
	for _, e := range x.entities {
		if err := write(e.ID, "entity", e.Citations); err != nil {
			return err
		}
	}
	for _, r := range x.relations {
		if err := write(r.ID, "relation", r.Citations); err != nil {
			return err
		}
	}
	for _, id := range x.counterClaimIDs() {
		for _, cc := range x.opt.CounterClaims[id] {
			if err := write(cc.ID, "counterClaim", cc.Citations); err != nil {
				return err
			}
		}
	}
	return nil
}

// cell protects a spreadsheet from a value that would start a formula
// (OWASP "CSV injection"): with a leading apostrophe it shows as text.
func cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// readme documents the zip for whoever opens it.
func (x *index) readme() string {
	var b strings.Builder
	b.WriteString("aidtrace export\n===============\n\n")
	for _, l := range x.headerLines() {
		b.WriteString(l + "\n")
	}
	fmt.Fprintf(&b, "\nThe tables: %d entities (nodes.csv), %d relations (edges.csv), %d sources (sources.csv).\n",
		len(x.entities), len(x.relations), len(x.sources))
	if x.truncated {
		b.WriteString("TRUNCATED: a limit cut this subgraph short; it is not complete.\n")
	}
	b.WriteString(`
Files are UTF-8 CSV with a byte-order mark (so that Excel shows Chinese).
Cells holding lists or records are JSON. Empty cells mean "none".
A cell that would start with = + - @ is prefixed with ' so that a
spreadsheet shows it as text instead of running it as a formula.
Dates are YYYY, YYYY-MM or YYYY-MM-DD: "2010" means some time in 2010.

nodes.csv: one row per entity.
  id: stable entity id, e.g. prefecture:aksu
`)
	for _, f := range nodeFields {
		fmt.Fprintf(&b, "  %s: %s\n", f.name, f.desc)
	}
	b.WriteString("\nedges.csv: one row per relation, directed from source to target.\n")
	b.WriteString("  id: stable relation id\n  source: id of the entity it starts at\n  target: id of the entity it ends at\n")
	for _, f := range edgeFields {
		fmt.Fprintf(&b, "  %s: %s\n", f.name, f.desc)
	}
	b.WriteString(`
sources.csv: one row per source cited.
  id: source id, e.g. src:weaponized-development
  title, publisher, url: the publication
  mirrorOf: the original publisher, when what was read is a mirror or copy
  document: an official document number (when there is no url)
  published: publication date, YYYY, YYYY-MM or YYYY-MM-DD
  type: official, press, ngo, academic, legal or other
  grade: A official; B established press, NGO or legal; C mirror, forum or blog
  note: note

citations.csv: one row per citation, joining claims (entities, relations and
the counter-claims that contest them) to the sources that support them.
  claim: entity, relation or counter-claim id; claimType: entity, relation
  or counterClaim; source: source id; quote, locator: where in the source;
  attests: the date the quoted passage shows the claim in force;
  sourceTitle, sourceUrl, sourceGrade: from sources.csv, when known.
`)
	return b.String()
}
