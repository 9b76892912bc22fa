package graph

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"github.com/aidtrace/aidtrace/graph/model"
	"github.com/aidtrace/aidtrace/internal/domain"
)

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optDate(d domain.PartialDate) *domain.PartialDate {
	if d.IsZero() {
		return nil
	}
	return &d
}

func date(d *domain.PartialDate) domain.PartialDate {
	if d == nil {
		return domain.PartialDate{}
	}
	return *d
}

func quantities(qs []domain.Quantity) []model.Quantity {
	out := make([]model.Quantity, len(qs))
	for i, q := range qs {
		out[i] = model.Quantity{Name: q.Name, Value: q.Value, Unit: optString(q.Unit), SourceID: q.Source}
	}
	return out
}

func citations(cs []domain.Citation) []model.Citation {
	out := make([]model.Citation, len(cs))
	for i, c := range cs {
		out[i] = model.Citation{SourceID: c.SourceID, Quote: optString(c.Quote), Locator: optString(c.Locator), Attests: optDate(c.Attests)}
	}
	return out
}

func toEntity(e *domain.Entity) *model.Entity {
	aliases := e.Aliases
	if aliases == nil {
		aliases = []string{}
	}
	return &model.Entity{
		Retraction: e.Retraction,
		ID:         e.ID, Kind: e.Kind, Name: e.Name, NameZh: optString(e.NameZh), Aliases: aliases,
		Description: optString(e.Description), ValidFrom: optDate(e.ValidFrom), ValidTo: optDate(e.ValidTo),
		Quantities: quantities(e.Quantities), Citations: citations(e.Citations), Synthetic: e.Synthetic,
	}
}

func responsibility(r domain.Responsibility) model.Responsibility {
	switch r {
	case domain.FromIsResponsible:
		return model.ResponsibilityFromIsResponsible
	case domain.ToIsResponsible:
		return model.ResponsibilityToIsResponsible
	}
	return model.ResponsibilityNone
}

func toRelation(r *domain.Relation) model.Relation {
	t, _ := domain.LookupRelationType(r.Type)
	attrs := make([]model.Attribute, 0, len(r.Attributes))
	for k, v := range r.Attributes {
		attrs = append(attrs, model.Attribute{Key: k, Value: v})
	}
	slices.SortFunc(attrs, func(a, b model.Attribute) int { return strings.Compare(a.Key, b.Key) })
	kf, kt := r.KnownPeriod()
	var best *domain.Grade
	if r.BestGrade != "" {
		g := r.BestGrade
		best = &g
	}
	return model.Relation{
		ID: r.ID, Type: model.RelationType(r.Type), Responsibility: responsibility(t.Responsibility),
		FromID: r.From, ToID: r.To, ValidFrom: optDate(r.ValidFrom), ValidTo: optDate(r.ValidTo),
		KnownFrom: optDate(kf), KnownTo: optDate(kt), Dated: !kf.IsZero(),
		Confidence: r.Confidence, Inferred: r.Inferred, BestGrade: best, Strength: strength(r.Strength()),
		Contested: r.IsContested(), Role: optString(r.Role), Quantities: quantities(r.Quantities),
		Attributes: attrs, Note: optString(r.Note), Citations: citations(r.Citations), Synthetic: r.Synthetic,
		Retraction: r.Retraction,
	}
}

// strength converts an evidence strength to its GraphQL enum.
func strength(s domain.Strength) model.Strength { return model.Strength(s.String()) }

// domainStrength reads the GraphQL enum (nil: the weakest, i.e. no filter).
func domainStrength(s *model.Strength) (domain.Strength, error) {
	if s == nil {
		return domain.StrengthWeak, nil
	}
	return domain.ParseStrength(string(*s))
}

func optInForce(f domain.InForce) *domain.InForce {
	if f == "" {
		return nil
	}
	return &f
}

func toCounterClaim(c *domain.CounterClaim) *model.CounterClaim {
	return &model.CounterClaim{
		ID: c.ID, Kind: c.Kind, ContestsID: c.Contests, ByID: c.By, Date: optDate(c.Date),
		Statement: c.Statement, Citations: citations(c.Citations),
	}
}

func toSource(s *domain.Source) *model.Source {
	return &model.Source{
		ID: s.ID, Title: s.Title, Publisher: optString(s.Publisher), MirrorOf: optString(s.MirrorOf), URL: optString(s.URL), Document: optString(s.Document),
		Published: optDate(s.Published), Type: s.Type, Grade: s.Grade, Note: optString(s.Note),
	}
}

func typeStrings(ts []model.RelationType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// Cursors are opaque to clients: the base64 of the last item's id, which
// the store uses for keyset pagination.
func encodeCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte(id)) }

func decodeCursor(c *string) (string, error) {
	if c == nil || *c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*c)
	if err != nil {
		return "", domain.Errorf(domain.EBADINPUT, "after: not a cursor returned by this API")
	}
	return string(b), nil
}

func pageInfo(lastID string, hasNext bool) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: hasNext}
	if lastID != "" {
		c := encodeCursor(lastID)
		pi.EndCursor = &c
	}
	return pi
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func citationsFromInput(cs []model.CitationInput) []domain.Citation {
	out := make([]domain.Citation, len(cs))
	for i, c := range cs {
		out[i] = domain.Citation{SourceID: c.Source, Quote: str(c.Quote), Locator: str(c.Locator), Attests: date(c.Attests)}
	}
	return out
}

func quantitiesFromInput(qs []model.QuantityInput) []domain.Quantity {
	out := make([]domain.Quantity, len(qs))
	for i, q := range qs {
		out[i] = domain.Quantity{Name: q.Name, Value: q.Value, Unit: str(q.Unit), Source: str(q.Source)}
	}
	return out
}

func sourceFromInput(in model.SourceInput) domain.Source {
	return domain.Source{ID: in.ID, Title: in.Title, Publisher: str(in.Publisher), MirrorOf: str(in.MirrorOf), URL: str(in.URL), Document: str(in.Document),
		Published: date(in.Published), Type: in.Type, Grade: in.Grade, Note: str(in.Note)}
}

func entityFromInput(in model.EntityInput) domain.Entity {
	return domain.Entity{ID: in.ID, Kind: in.Kind, Name: in.Name, NameZh: str(in.NameZh), Aliases: in.Aliases,
		Description: str(in.Description), ValidFrom: date(in.ValidFrom), ValidTo: date(in.ValidTo),
		Quantities: quantitiesFromInput(in.Quantities), Citations: citationsFromInput(in.Citations)}
}

func relationFromInput(in model.RelationInput) domain.Relation {
	var attrs map[string]string
	if len(in.Attributes) > 0 {
		attrs = map[string]string{}
		for _, a := range in.Attributes {
			attrs[a.Key] = a.Value
		}
	}
	return domain.Relation{ID: in.ID, Type: string(in.Type), From: in.From, To: in.To,
		ValidFrom: date(in.ValidFrom), ValidTo: date(in.ValidTo), Confidence: in.Confidence, Inferred: in.Inferred != nil && *in.Inferred, Role: str(in.Role),
		Quantities: quantitiesFromInput(in.Quantities), Attributes: attrs, Note: str(in.Note),
		Citations: citationsFromInput(in.Citations)}
}

// timeArgs reads the asOf and includeNotKnown arguments of a traversal.
func timeArgs(asOf *domain.PartialDate, includeNotKnown *bool) domain.Time {
	return domain.Time{AsOf: date(asOf), IncludeNotKnown: includeNotKnown != nil && *includeNotKnown}
}

// Chain cursors are opaque to clients: the base64 of "o:" and the number of
// chains of the earlier pages.
func encodeOffset(n int) string { return encodeCursor("o:" + strconv.Itoa(n)) }

func decodeOffset(c *string) (int, error) {
	s, err := decodeCursor(c)
	if err != nil || s == "" {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(s, "o:"))
	if !strings.HasPrefix(s, "o:") || err != nil || n < 0 {
		return 0, domain.Errorf(domain.EBADINPUT, "after: not a cursor returned by this API")
	}
	return n, nil
}
