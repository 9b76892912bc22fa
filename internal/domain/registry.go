package domain

import "sort"

// Responsibility says whether, and which way, a relation type carries
// responsibility. Chains follow only responsibility-bearing types, in their
// declared direction.
type Responsibility int

const (
	// NoResponsibility: the relation is context (location, supply, designation).
	NoResponsibility Responsibility = iota
	// FromIsResponsible: the relation's from-entity answers for its to-entity
	// (a province PAIRED_WITH a county; a bureau LICENSES a firm).
	FromIsResponsible
	// ToIsResponsible: the to-entity answers for the from-entity
	// (a county PART_OF a prefecture).
	ToIsResponsible
)

func (r Responsibility) String() string {
	switch r {
	case FromIsResponsible:
		return "FROM_IS_RESPONSIBLE"
	case ToIsResponsible:
		return "TO_IS_RESPONSIBLE"
	}
	return "NONE"
}

// RelationType describes one relation type: its meaning, the kinds it may
// join, whether it carries responsibility and the attribute keys it allows.
// Relationship types reach Cypher only from this registry.
type RelationType struct {
	Name           string
	Meaning        string
	From           []Kind // nil: any kind
	To             []Kind // nil: any kind
	Responsibility Responsibility
	Attributes     []string // allowed keys of Relation.Attributes
	// AttributeValues restricts some attributes to a set of values.
	AttributeValues map[string][]string
	// RequiredAttributes must be present on every relation of the type.
	RequiredAttributes []string
	// Roles, when set, are the only values Relation.Role may take.
	Roles []string
}

// AllowsFrom reports whether k may stand at the relation's from end.
func (t RelationType) AllowsFrom(k Kind) bool { return allows(t.From, k) }

// AllowsTo reports whether k may stand at the relation's to end.
func (t RelationType) AllowsTo(k Kind) bool { return allows(t.To, k) }

func allows(ks []Kind, k Kind) bool {
	if ks == nil {
		return k.Valid()
	}
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// Kind groups used by the registry.
var (
	governmental = []Kind{"party_body", "state_body", "leading_group", "department", "province", "region",
		"city", "district", "prefecture", "county", "xpcc", "xpcc_division", "xpcc_regiment", "frontline_hq", "bureau"}
	places = []Kind{"province", "region", "city", "district", "prefecture", "county", "xpcc_division",
		"xpcc_regiment", "industrial_park"}
	recipients = []Kind{"prefecture", "county", "city", "district", "xpcc_division", "xpcc_regiment"}
	aiding     = []Kind{"province", "city", "district"}
	firms      = []Kind{"company", "labour_dispatch_firm", "factory"}
)

func join(groups ...[]Kind) []Kind {
	seen := map[Kind]bool{}
	var out []Kind
	for _, g := range groups {
		for _, k := range g {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// relationTypes is the ONE registry of relation types.
var relationTypes = []RelationType{
	{Name: "DIRECTS", Responsibility: FromIsResponsible,
		Meaning: "The from-body directs the to-body or programme: it sets its policy or gives it orders.",
		From:    []Kind{"party_body", "state_body", "leading_group", "department", "region", "xpcc", "person"},
		To:      join(governmental, []Kind{"programme"})},
	{Name: "COORDINATES", Responsibility: FromIsResponsible,
		Meaning: "The from-body coordinates the to-body's work or the programme (plans, assigns, checks).",
		From:    []Kind{"leading_group", "department", "state_body", "party_body"},
		To:      []Kind{"department", "province", "city", "region", "xpcc", "programme", "frontline_hq", "leading_group"}},
	{Name: "MANAGES", Responsibility: FromIsResponsible,
		Meaning: "The from-entity manages the to-entity day to day.",
		From:    join(governmental, []Kind{"company"}),
		To:      []Kind{"programme", "cadre_batch", "industrial_park", "training_centre", "factory", "frontline_hq"}},
	{Name: "SUPERVISES", Responsibility: FromIsResponsible,
		Meaning: "The from-entity supervises the to-entity.",
		From:    join(governmental, []Kind{"person"}),
		To:      nil},
	{Name: "PART_OF", Responsibility: NoResponsibility,
		Meaning: "The from-entity lies within or belongs to the to-entity as context, not command: a county within a prefecture, a prefecture within the region, a phase of a programme, a unit within a zone.",
		From:    nil, To: nil},
	{Name: "SUBORDINATE_TO", Responsibility: ToIsResponsible,
		Meaning: "The from-body answers to the to-body, as a source states: a bureau of a county or prefecture government, a department of a ministry, a ministry under the State Council, a sub-headquarters under a provincial headquarters.",
		From:    join(governmental, []Kind{"school"}),
		To:      join(governmental, []Kind{"party_body"})},
	{Name: "PAIRED_WITH", Responsibility: FromIsResponsible,
		Meaning: "Pairing assistance (对口支援): the from-party (an aiding province, municipality, city or district) is assigned to aid the to-recipient.",
		From:    aiding, To: recipients},
	{Name: "ESTABLISHED", Responsibility: FromIsResponsible,
		Meaning: "The from-entity set up the to-entity (a front-line headquarters, park, centre, group or programme).",
		From:    join(aiding, []Kind{"state_body", "department", "region", "company", "party_body"}),
		To:      []Kind{"frontline_hq", "industrial_park", "training_centre", "factory", "leading_group", "programme"}},
	{Name: "DEPLOYED", Responsibility: FromIsResponsible,
		Meaning: "The from-body selected and sent the cadre batch.",
		From:    join(aiding, []Kind{"party_body", "state_body", "department"}),
		To:      []Kind{"cadre_batch"}},
	{Name: "ASSIGNED_TO", Responsibility: NoResponsibility,
		Meaning: "The cadre batch was posted to the to-place, where its cadres hold posts (context: a batch spread across a region does not answer for every unit in it).",
		From:    []Kind{"cadre_batch"},
		To:      join(recipients, []Kind{"region", "xpcc"})},
	{Name: "FUNDS", Responsibility: FromIsResponsible,
		Meaning:    "The from-entity pays for the to-entity or its projects.",
		From:       join(governmental, []Kind{"company"}),
		To:         []Kind{"industrial_park", "factory", "programme", "county", "city", "prefecture", "xpcc_division", "company"},
		Attributes: []string{"amount"}},
	{Name: "LICENSES", Responsibility: FromIsResponsible,
		Meaning: "The bureau licenses the firm (e.g. a labour-dispatch licence).",
		From:    []Kind{"bureau"}, To: []Kind{"labour_dispatch_firm", "company"}},
	{Name: "RECRUITS_FROM", Responsibility: NoResponsibility,
		Meaning: "The firm recruits workers from the to-place or centre.",
		From:    firms,
		To:      []Kind{"county", "prefecture", "city", "region", "training_centre", "xpcc_division"}},
	{Name: "TRANSFERS_WORKERS_TO", Responsibility: FromIsResponsible,
		Meaning: "The from-entity sends workers to the to-workplace (a factory, company or park): role `origin` for the place they came from, `organiser` for the body that organised the transfer (quantities: headcount; dates: the period). Transfers to a place with no workplace named are LABOUR_FLOW_TO.",
		From: []Kind{"county", "prefecture", "city", "region", "xpcc", "xpcc_division", "xpcc_regiment", "labour_dispatch_firm",
			"frontline_hq", "bureau", "training_centre", "school", "association", "company", "province", "state_body", "department"},
		To:    []Kind{"factory", "company", "industrial_park"},
		Roles: []string{"origin", "organiser"}},
	{Name: "LABOUR_FLOW_TO", Responsibility: NoResponsibility,
		Meaning: "Workers from the from-entity went to work in the to-place, where no workplace is named (role `origin` or `organiser`; quantities: headcount; dates: the period). Context: sending workers to a province or city does not make the sender answer for that place.",
		From: []Kind{"county", "prefecture", "city", "region", "xpcc", "xpcc_division", "xpcc_regiment", "labour_dispatch_firm",
			"frontline_hq", "bureau", "training_centre", "school", "association", "company", "province", "state_body", "department"},
		To:    []Kind{"province", "city", "county", "district", "prefecture", "region"},
		Roles: []string{"origin", "organiser"}},
	{Name: "OPERATES", Responsibility: FromIsResponsible,
		Meaning: "The company runs the factory, park or centre.",
		From:    []Kind{"company"}, To: []Kind{"factory", "industrial_park", "training_centre"}},
	{Name: "OWNS", Responsibility: FromIsResponsible,
		Meaning: "The company owns the to-entity (subsidiary, factory).",
		From:    []Kind{"company"}, To: firms},
	{Name: "LOCATED_IN", Responsibility: NoResponsibility,
		Meaning: "The from-entity is located in the to-place.",
		From:    nil, To: places},
	{Name: "SUPPLIES", Responsibility: NoResponsibility,
		Meaning: "The factory or company supplies the buyer (attribute link: direct, indirect or claimed, as the source words it; validTo: when the link ended).",
		From:    []Kind{"factory", "company", "industrial_park"}, To: []Kind{"buyer", "company"},
		Attributes:         []string{"link"},
		AttributeValues:    map[string][]string{"link": {"direct", "indirect", "claimed"}},
		RequiredAttributes: []string{"link"}},
	{Name: "LEADS", Responsibility: FromIsResponsible,
		Meaning: "The person leads or holds a post in the body (role: the post).",
		From:    []Kind{"person"},
		To:      join(governmental, []Kind{"company", "programme", "cadre_batch"})},
	{Name: "CONVENED", Responsibility: NoResponsibility,
		Meaning: "The body or person convened (or chaired) the event.",
		From:    []Kind{"party_body", "state_body", "leading_group", "department", "person"},
		To:      []Kind{"event"}},
	{Name: "PARTICIPATED_IN", Responsibility: NoResponsibility,
		Meaning: "The from-entity took part in the event or programme (role: how, e.g. pilot).",
		From:    nil, To: []Kind{"event", "programme"}},
	{Name: "STATED", Responsibility: NoResponsibility,
		Meaning: "The person made the statement.",
		From:    []Kind{"person"}, To: []Kind{"statement"}},
	{Name: "MADE_AT", Responsibility: NoResponsibility,
		Meaning: "The statement was made at the event.",
		From:    []Kind{"statement"}, To: []Kind{"event"}},
	{Name: "DESIGNATED", Responsibility: NoResponsibility,
		Meaning:    "The designation list names the entity (attributes: subList, frDoc; validFrom: effective date).",
		From:       []Kind{"designation_list"},
		To:         []Kind{"company", "factory", "labour_dispatch_firm", "xpcc", "industrial_park"},
		Attributes: []string{"subList", "frDoc"}},
	{Name: "ABOUT", Responsibility: NoResponsibility,
		Meaning: "The statistic measures the to-entity.",
		From:    []Kind{"statistic"},
		To:      []Kind{"programme", "region", "province", "prefecture", "county", "xpcc", "event"}},
	{Name: "IN_SECTOR", Responsibility: NoResponsibility,
		Meaning: "The from-entity works in the sector.",
		From:    []Kind{"company", "factory", "industrial_park", "labour_dispatch_firm", "programme", "statistic"},
		To:      []Kind{"sector"}},
	{Name: "ADOPTED", Responsibility: NoResponsibility,
		Meaning: "The event (a forum or conference) launched or reframed the programme.",
		From:    []Kind{"event"}, To: []Kind{"programme"}},
}

var relationTypeByName = func() map[string]RelationType {
	m := make(map[string]RelationType, len(relationTypes))
	for _, t := range relationTypes {
		m[t.Name] = t
	}
	return m
}()

// RelationTypes returns the registry, sorted by name.
func RelationTypes() []RelationType {
	out := append([]RelationType(nil), relationTypes...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LookupRelationType returns the registered type and whether it exists.
func LookupRelationType(name string) (RelationType, bool) {
	t, ok := relationTypeByName[name]
	return t, ok
}

// ResponsibilityTypes returns the names of the types that carry responsibility.
func ResponsibilityTypes() []string {
	var out []string
	for _, t := range RelationTypes() {
		if t.Responsibility != NoResponsibility {
			out = append(out, t.Name)
		}
	}
	return out
}
