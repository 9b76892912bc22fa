package ingest

import (
	"io"

	"go.yaml.in/yaml/v3"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// rawFile is one dataset file.
type rawFile struct {
	Sources       []rawSource       `yaml:"sources,omitempty"`
	Entities      []rawEntity       `yaml:"entities,omitempty"`
	Relations     []rawRelation     `yaml:"relations,omitempty"`
	CounterClaims []rawCounterClaim `yaml:"counterClaims,omitempty"`
}

// Encode writes d as one dataset file in the format the parser reads
// (generated data, exports back to files); every field is kept.
func Encode(w io.Writer, d *domain.Dataset) error {
	var f rawFile
	for _, s := range d.Sources {
		f.Sources = append(f.Sources, rawSource{ID: s.ID, Title: s.Title, Publisher: s.Publisher, MirrorOf: s.MirrorOf, URL: s.URL,
			Document: s.Document, Published: s.Published.String(), Type: string(s.Type), Grade: string(s.Grade), Note: s.Note})
	}
	for _, e := range d.Entities {
		f.Entities = append(f.Entities, rawEntity{ID: e.ID, Kind: string(e.Kind), Name: e.Name, NameZh: e.NameZh,
			Aliases: e.Aliases, Description: e.Description, ValidFrom: e.ValidFrom.String(), ValidTo: e.ValidTo.String(),
			Quantities: rawQuantities(e.Quantities), Cite: rawCitations(e.Citations), Synthetic: e.Synthetic})
	}
	for _, r := range d.Relations {
		f.Relations = append(f.Relations, rawRelation{ID: r.ID, Type: r.Type, From: r.From, To: r.To,
			ValidFrom: r.ValidFrom.String(), ValidTo: r.ValidTo.String(), Confidence: string(r.Confidence), Inferred: r.Inferred, Role: r.Role,
			Quantities: rawQuantities(r.Quantities), Attributes: r.Attributes, Note: r.Note, Cite: rawCitations(r.Citations),
			Synthetic: r.Synthetic})
	}
	for _, cc := range d.CounterClaims {
		f.CounterClaims = append(f.CounterClaims, rawCounterClaim{ID: cc.ID, Contests: cc.Contests, Kind: string(cc.Kind), By: cc.By,
			Date: cc.Date.String(), Statement: cc.Statement, Cite: rawCitations(cc.Citations)})
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return err
	}
	return enc.Close()
}

func rawCitations(cs []domain.Citation) []rawCitation {
	out := make([]rawCitation, len(cs))
	for i, c := range cs {
		out[i] = rawCitation{Source: c.SourceID, Quote: c.Quote, Locator: c.Locator, Attests: c.Attests.String()}
	}
	return out
}

func rawQuantities(qs []domain.Quantity) []rawQuantity {
	out := make([]rawQuantity, len(qs))
	for i, q := range qs {
		out[i] = rawQuantity{Name: q.Name, Value: q.Value, Unit: q.Unit, Source: q.Source}
	}
	return out
}
