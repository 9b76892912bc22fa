// Package synth generates synthetic datasets with the shape of the Xinjiang
// Aid hierarchy (central bodies, 19 aiding parties, recipient prefectures and
// counties, bureaus, labour-dispatch firms, factories, buyers, dated worker
// transfers) for scale tests and benchmarks. Every item is marked synthetic,
// cites the one synthetic source and has a name no real body has.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// SourceID is the synthetic source every synthetic item cites; confirmed
// relations also cite SourceBID (a confirmed claim rests on an A or B source).
const (
	SourceID  = "src:synthetic"
	SourceBID = "src:synthetic-b"
)

// syntheticURL is an address in the reserved .invalid domain: it can never
// be mistaken for a real page.
const syntheticURL = "https://synthetic.invalid/aidtrace-synth"

// Sources are the synthetic sources, grade C and grade B, with notes that say
// what they are.
var Sources = []domain.Source{
	{ID: SourceID, Title: "Synthetic test data (aidtrace synth)", Publisher: "aidtrace synth (not a publication)",
		URL: syntheticURL, Type: "other", Grade: "C", Note: "generated test data"},
	{ID: SourceBID, Title: "Synthetic test data, grade B (aidtrace synth)", Publisher: "aidtrace synth (not a publication)",
		URL: syntheticURL + "/b", Type: "other", Grade: "B", Note: "generated test data"},
}

// Sizes says how many of each generated thing a dataset has. The central
// bodies, the region and the 19 aiding provinces with their front-line
// headquarters are always there.
type Sizes struct {
	Prefectures         int // recipient prefectures, each paired with one province
	Counties            int // recipient counties, spread over the prefectures
	FirmsPerCounty      int // labour-dispatch firms licensed by each county's bureau
	FactoriesPerCounty  int // factories located in each county
	Buyers              int // buyers the factories supply
	SuppliesPerFactory  int // SUPPLIES relations per factory
	TransfersPerFactory int // dated TRANSFERS_WORKERS_TO relations into each factory
}

// AidingProvinces is the number of aiding parties, as in the real programme.
const AidingProvinces = 19

// centralEntities are the fixed bodies at the top: party, state council,
// coordination group, department, region.
const centralEntities = 5

// The scales. S and M are the sizes the issue asks for (about 10k nodes /
// 50k relations and 100k / 1M); L is what this 2-core, 24 GiB machine holds
// with sensible settings (see docs/BENCHMARKS.md).
var scales = map[string]Sizes{
	"XS": {Prefectures: 4, Counties: 20, FirmsPerCounty: 2, FactoriesPerCounty: 4, Buyers: 20, SuppliesPerFactory: 2, TransfersPerFactory: 3},
	"S":  {Prefectures: 20, Counties: 400, FirmsPerCounty: 4, FactoriesPerCounty: 16, Buyers: 1000, SuppliesPerFactory: 2, TransfersPerFactory: 4},
	"M":  {Prefectures: 100, Counties: 4000, FirmsPerCounty: 4, FactoriesPerCounty: 16, Buyers: 10000, SuppliesPerFactory: 3, TransfersPerFactory: 11},
	"L":  {Prefectures: 300, Counties: 20000, FirmsPerCounty: 4, FactoriesPerCounty: 16, Buyers: 50000, SuppliesPerFactory: 3, TransfersPerFactory: 11},
}

// ScaleSizes returns the sizes of a named scale: XS (for tests), S, M or L.
func ScaleSizes(name string) (Sizes, error) {
	s, ok := scales[strings.ToUpper(name)]
	if !ok {
		return Sizes{}, fmt.Errorf("unknown scale %q (want XS, S, M or L)", name)
	}
	return s, nil
}

// Validate rejects sizes the generator cannot build.
func (s Sizes) Validate() error {
	switch {
	case s.Prefectures < 1, s.Counties < s.Prefectures, s.FirmsPerCounty < 1, s.FactoriesPerCounty < 1, s.Buyers < 1:
		return fmt.Errorf("sizes need at least one of each thing and a county per prefecture: %+v", s)
	case s.SuppliesPerFactory < 0, s.TransfersPerFactory < 0:
		return fmt.Errorf("relations per factory must not be negative: %+v", s)
	case s.SuppliesPerFactory > s.Buyers:
		return fmt.Errorf("%d supplies per factory but only %d buyers", s.SuppliesPerFactory, s.Buyers)
	}
	return nil
}

// Firms is the number of labour-dispatch firms.
func (s Sizes) Firms() int { return s.Counties * s.FirmsPerCounty }

// Factories is the number of factories.
func (s Sizes) Factories() int { return s.Counties * s.FactoriesPerCounty }

// Entities is the number of entities the sizes give.
func (s Sizes) Entities() int {
	return centralEntities + 2*AidingProvinces + s.Prefectures + 2*s.Counties + s.Firms() + s.Factories() + s.Buyers
}

// Relations is the number of relations the sizes give.
func (s Sizes) Relations() int {
	central := 4 + AidingProvinces // DIRECTS x3, COORDINATES group->department, department->each province
	perProvince := AidingProvinces // ESTABLISHED hq
	perPrefecture := 2 * s.Prefectures
	perCounty := 3 * s.Counties // PART_OF prefecture, PAIRED_WITH, bureau PART_OF county
	perFirm := 2 * s.Firms()    // LICENSES, LOCATED_IN
	perFactory := s.Factories() * (1 + s.SuppliesPerFactory + s.TransfersPerFactory)
	return central + perProvince + perPrefecture + perCounty + perFirm + perFactory
}

// Ids of the generated entities. The slugs say "synth" so an id can never
// be taken for a seed id.
const (
	PartyID      = "party_body:synth-central-committee"
	StateID      = "state_body:synth-state-council"
	GroupID      = "leading_group:synth-coordination-group"
	DepartmentID = "department:synth-pairing-department"
	RegionID     = "region:synth-region"
)

// ProvinceID is the id of aiding province i (0-based).
func ProvinceID(i int) string { return fmt.Sprintf("province:synth-aiding-%02d", i+1) }

// HQID is the id of aiding province i's front-line headquarters.
func HQID(i int) string { return fmt.Sprintf("frontline_hq:synth-hq-%02d", i+1) }

// PrefectureID is the id of prefecture i.
func PrefectureID(i int) string { return fmt.Sprintf("prefecture:synth-%05d", i+1) }

// CountyID is the id of county i.
func CountyID(i int) string { return fmt.Sprintf("county:synth-%05d", i+1) }

// BureauID is the id of county i's labour bureau.
func BureauID(i int) string { return fmt.Sprintf("bureau:synth-%05d", i+1) }

// FirmID is the id of labour-dispatch firm i.
func FirmID(i int) string { return fmt.Sprintf("labour_dispatch_firm:synth-%07d", i+1) }

// FactoryID is the id of factory i.
func FactoryID(i int) string { return fmt.Sprintf("factory:synth-%07d", i+1) }

// BuyerID is the id of buyer i.
func BuyerID(i int) string { return fmt.Sprintf("buyer:synth-%06d", i+1) }

// FactoryName is the name of factory i (benchmarks search for it).
func FactoryName(i int) string { return fmt.Sprintf("ZZ-Test Factory %07d", i+1) }

// PrefectureOf is the prefecture county c belongs to: counties are dealt
// out in order, so each prefecture holds a contiguous run of counties.
func (s Sizes) PrefectureOf(c int) int { return c * s.Prefectures / s.Counties }

// ProvinceOf is the aiding province paired with prefecture p.
func ProvinceOf(p int) int { return p % AidingProvinces }

var (
	cite       = []domain.Citation{{SourceID: SourceID, Quote: "generated test data"}}
	citeB      = []domain.Citation{{SourceID: SourceBID, Quote: "generated test data"}}
	citeBoth   = []domain.Citation{cite[0], citeB[0]}
	citeByConf = map[domain.Confidence][]domain.Citation{"confirmed": citeB, "reported": cite, "disputed": citeBoth}
)

// Generator makes the dataset of one Sizes and seed. It is deterministic:
// the same sizes and seed give the same items in the same order.
type Generator struct {
	sz   Sizes
	seed uint64
}

// New returns a generator for sz (which must be valid) and seed.
func New(sz Sizes, seed uint64) (*Generator, error) {
	if err := sz.Validate(); err != nil {
		return nil, err
	}
	return &Generator{sz: sz, seed: seed}, nil
}

func entity(id string, kind domain.Kind, name, nameZh string) domain.Entity {
	return domain.Entity{ID: id, Kind: kind, Name: name, NameZh: nameZh, Citations: cite, Synthetic: true}
}

// Entities returns every entity: the fixed top, then prefectures, counties,
// bureaus, firms, factories and buyers, each in index order.
func (g *Generator) Entities() []domain.Entity {
	sz := g.sz
	out := make([]domain.Entity, 0, sz.Entities())
	out = append(out,
		entity(PartyID, "party_body", "Synthetic Central Committee (test data)", "合成中央委员会"),
		entity(StateID, "state_body", "Synthetic State Council (test data)", "合成国务院"),
		entity(GroupID, "leading_group", "Synthetic Coordination Group (test data)", "合成协调小组"),
		entity(DepartmentID, "department", "Synthetic Pairing Department (test data)", "合成对口部门"),
		entity(RegionID, "region", "Synthetic Region (test data)", "合成自治区"),
	)
	for i := range AidingProvinces {
		out = append(out, entity(ProvinceID(i), "province", fmt.Sprintf("Synthetic Aiding Province %02d", i+1), fmt.Sprintf("合成援助省%02d", i+1)))
	}
	for i := range AidingProvinces {
		out = append(out, entity(HQID(i), "frontline_hq", fmt.Sprintf("Synthetic Front-line HQ %02d", i+1), fmt.Sprintf("合成前方指挥部%02d", i+1)))
	}
	for i := range sz.Prefectures {
		out = append(out, entity(PrefectureID(i), "prefecture", fmt.Sprintf("Synthetic Prefecture %05d", i+1), fmt.Sprintf("合成地区%05d", i+1)))
	}
	for i := range sz.Counties {
		out = append(out, entity(CountyID(i), "county", fmt.Sprintf("Synthetic County %05d", i+1), fmt.Sprintf("合成县%05d", i+1)))
	}
	for i := range sz.Counties {
		out = append(out, entity(BureauID(i), "bureau", fmt.Sprintf("Synthetic Labour Bureau %05d", i+1), ""))
	}
	for i := range sz.Firms() {
		out = append(out, entity(FirmID(i), "labour_dispatch_firm", fmt.Sprintf("ZZ-Test Dispatch Firm %07d", i+1), ""))
	}
	for i := range sz.Factories() {
		out = append(out, entity(FactoryID(i), "factory", FactoryName(i), fmt.Sprintf("合成测试工厂%07d", i+1)))
	}
	for i := range sz.Buyers {
		out = append(out, entity(BuyerID(i), "buyer", fmt.Sprintf("ZZ-Test Buyer %06d", i+1), ""))
	}
	return out
}

var confidences = []domain.Confidence{"confirmed", "reported", "reported", "disputed"}

// relations builds relations in a fixed order and hands each to emit.
type relations struct {
	rng  *rand.Rand
	emit func(domain.Relation) error
	n    int
}

func (r *relations) add(typ, from, to string, f func(*domain.Relation)) error {
	r.n++
	rel := domain.Relation{
		ID:   fmt.Sprintf("rel:synth:%s:%08d", strings.ToLower(strings.ReplaceAll(typ, "_", "-")), r.n),
		Type: typ, From: from, To: to, Confidence: "reported", Citations: cite, Synthetic: true,
	}
	if f != nil {
		f(&rel)
	}
	rel.Citations = citeByConf[rel.Confidence]
	return r.emit(rel)
}

// Relations hands every relation to emit, in a fixed order, and stops at
// emit's first error. Transfers into a factory come from firms of the same
// prefecture, so chains up from a factory run through bureaus, counties,
// prefectures and provinces as in the real data.
func (g *Generator) Relations(emit func(domain.Relation) error) error {
	sz := g.sz
	r := &relations{rng: rand.New(rand.NewPCG(g.seed, 0x5e1a7)), emit: emit}
	top := [][3]string{
		{"DIRECTS", PartyID, StateID},
		{"DIRECTS", StateID, GroupID},
		{"COORDINATES", GroupID, DepartmentID},
		{"DIRECTS", PartyID, RegionID},
	}
	for _, t := range top {
		if err := r.add(t[0], t[1], t[2], func(rel *domain.Relation) { rel.Confidence = "confirmed" }); err != nil {
			return err
		}
	}
	for i := range AidingProvinces {
		if err := r.add("COORDINATES", DepartmentID, ProvinceID(i), nil); err != nil {
			return err
		}
		if err := r.add("ESTABLISHED", ProvinceID(i), HQID(i), func(rel *domain.Relation) {
			rel.ValidFrom = domain.PartialDate{Year: 2010 + r.rng.IntN(3)}
		}); err != nil {
			return err
		}
	}
	for p := range sz.Prefectures {
		if err := r.add("PART_OF", PrefectureID(p), RegionID, nil); err != nil {
			return err
		}
		if err := r.add("PAIRED_WITH", ProvinceID(ProvinceOf(p)), PrefectureID(p), func(rel *domain.Relation) {
			rel.ValidFrom = domain.PartialDate{Year: 2010}
		}); err != nil {
			return err
		}
	}
	for c := range sz.Counties {
		p := sz.PrefectureOf(c)
		if err := r.add("PART_OF", CountyID(c), PrefectureID(p), nil); err != nil {
			return err
		}
		if err := r.add("PAIRED_WITH", ProvinceID(ProvinceOf(p)), CountyID(c), func(rel *domain.Relation) {
			rel.ValidFrom = domain.PartialDate{Year: 2010 + r.rng.IntN(2)}
		}); err != nil {
			return err
		}
		if err := r.add("SUBORDINATE_TO", BureauID(c), CountyID(c), nil); err != nil {
			return err
		}
	}
	for f := range sz.Firms() {
		c := f / sz.FirmsPerCounty
		if err := r.add("LICENSES", BureauID(c), FirmID(f), func(rel *domain.Relation) {
			rel.ValidFrom = domain.PartialDate{Year: 2012 + r.rng.IntN(8), Month: 1 + r.rng.IntN(12)}
		}); err != nil {
			return err
		}
		if err := r.add("LOCATED_IN", FirmID(f), CountyID(c), nil); err != nil {
			return err
		}
	}
	// Counties of prefecture p are a contiguous run: [first, last).
	firstCounty := make([]int, sz.Prefectures+1)
	for c := sz.Counties - 1; c >= 0; c-- {
		firstCounty[sz.PrefectureOf(c)] = c
	}
	firstCounty[sz.Prefectures] = sz.Counties
	for f := range sz.Factories() {
		c := f / sz.FactoriesPerCounty
		if err := r.add("LOCATED_IN", FactoryID(f), CountyID(c), nil); err != nil {
			return err
		}
		for _, b := range pick(r.rng, sz.Buyers, sz.SuppliesPerFactory) {
			if err := r.add("SUPPLIES", FactoryID(f), BuyerID(b), func(rel *domain.Relation) {
				rel.ValidFrom = domain.PartialDate{Year: 2015 + r.rng.IntN(8)}
				rel.Attributes = map[string]string{"link": "direct"}
			}); err != nil {
				return err
			}
		}
		p := sz.PrefectureOf(c)
		lo, hi := firstCounty[p]*sz.FirmsPerCounty, firstCounty[p+1]*sz.FirmsPerCounty
		for range sz.TransfersPerFactory {
			firm := lo + r.rng.IntN(hi-lo)
			if err := r.add("TRANSFERS_WORKERS_TO", FirmID(firm), FactoryID(f), func(rel *domain.Relation) {
				y, m := 2014+r.rng.IntN(10), 1+r.rng.IntN(12)
				end := y*12 + m - 1 + 1 + r.rng.IntN(24)
				rel.ValidFrom = domain.PartialDate{Year: y, Month: m}
				rel.ValidTo = domain.PartialDate{Year: end / 12, Month: end%12 + 1}
				rel.Confidence = confidences[r.rng.IntN(len(confidences))]
				rel.Role = "organiser"
				rel.Quantities = []domain.Quantity{{Name: "headcount", Value: float64(5 + r.rng.IntN(496)), Unit: "people"}}
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// pick returns k distinct numbers below n (k <= n).
func pick(rng *rand.Rand, n, k int) []int {
	out := make([]int, 0, k)
	for len(out) < k {
		x := rng.IntN(n)
		dup := false
		for _, y := range out {
			dup = dup || y == x
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

// Generate returns the whole dataset of sz and seed.
func Generate(sz Sizes, seed uint64) (*domain.Dataset, error) {
	g, err := New(sz, seed)
	if err != nil {
		return nil, err
	}
	d := &domain.Dataset{Sources: append([]domain.Source(nil), Sources...), Entities: g.Entities()}
	d.Relations = make([]domain.Relation, 0, sz.Relations())
	err = g.Relations(func(r domain.Relation) error {
		d.Relations = append(d.Relations, r)
		return nil
	})
	return d, err
}

// Chunks hands the dataset to fn in pieces of at most chunk items: first
// the source and the entities, then the relations. Every piece refers only
// to items of earlier pieces or itself, so a loader can write them in turn
// without holding the whole dataset (the L scale) in memory.
func (g *Generator) Chunks(chunk int, fn func(*domain.Dataset) error) error {
	if chunk < 1 {
		return fmt.Errorf("chunk size %d: must be at least 1", chunk)
	}
	es := g.Entities()
	first := true
	for i := 0; i < len(es); i += chunk {
		d := &domain.Dataset{Entities: es[i:min(i+chunk, len(es))]}
		if first {
			d.Sources, first = append([]domain.Source(nil), Sources...), false
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	buf := make([]domain.Relation, 0, chunk)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		err := fn(&domain.Dataset{Relations: buf})
		buf = make([]domain.Relation, 0, chunk)
		return err
	}
	err := g.Relations(func(r domain.Relation) error {
		buf = append(buf, r)
		if len(buf) == chunk {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}
