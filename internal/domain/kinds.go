package domain

// Kind is an entity kind. Each kind is also a Neo4j label (see Kind.Label).
type Kind string

// KindInfo describes a kind for people and for the API.
type KindInfo struct {
	Kind        Kind
	Label       string // Neo4j label, from this table only
	Description string
}

// kinds is the one list of entity kinds.
var kinds = []KindInfo{
	{"party_body", "PartyBody", "A body of the Chinese Communist Party (e.g. the CCP Central Committee)."},
	{"state_body", "StateBody", "A body of the state (e.g. the State Council, a ministry, a people's government)."},
	{"leading_group", "LeadingGroup", "A leading or coordination (small) group and its office."},
	{"department", "Department", "A department inside a larger body (e.g. an NDRC department)."},
	{"province", "Province", "A province or province-level municipality, as an aiding party."},
	{"region", "Region", "The Xinjiang Uyghur Autonomous Region (XUAR) as a whole."},
	{"city", "City", "A city (prefecture- or county-level) or its government."},
	{"district", "District", "A city district (e.g. Shanghai Pudong New Area)."},
	{"prefecture", "Prefecture", "A prefecture or autonomous prefecture in the XUAR."},
	{"county", "County", "A county or county-level unit in the XUAR."},
	{"xpcc", "Xpcc", "The Xinjiang Production and Construction Corps (XPCC, 兵团) as a whole."},
	{"xpcc_division", "XpccDivision", "An XPCC division (师), often with its city."},
	{"xpcc_regiment", "XpccRegiment", "An XPCC regiment (团)."},
	{"frontline_hq", "FrontlineHq", "A front-line headquarters (前方指挥部) an aiding province keeps in Xinjiang."},
	{"bureau", "Bureau", "A local government bureau (e.g. Human Resources and Social Security)."},
	{"company", "Company", "A company or group."},
	{"labour_dispatch_firm", "LabourDispatchFirm", "A labour-dispatch firm that recruits and moves workers."},
	{"factory", "Factory", "A factory or production site."},
	{"industrial_park", "IndustrialPark", "An industrial park or zone."},
	{"training_centre", "TrainingCentre", "A 'vocational training' or 'education' centre."},
	{"school", "School", "A school or vocational school (e.g. one that sent students to factories)."},
	{"association", "Association", "A chamber of commerce, trade or business association."},
	{"buyer", "Buyer", "A buyer or brand supplied by a factory."},
	{"person", "Person", "A named person, in a public role."},
	{"event", "Event", "A dated event: a conference, forum, campaign, massacre."},
	{"statement", "Statement", "A dated public statement by a person."},
	{"programme", "Programme", "A policy, programme or programme phase."},
	{"cadre_batch", "CadreBatch", "A batch of cadres (援疆干部) sent to Xinjiang."},
	{"designation_list", "DesignationList", "A sanctions or designation list (e.g. the UFLPA Entity List)."},
	{"statistic", "Statistic", "A published figure (e.g. labour transfers in a year)."},
	{"sector", "Sector", "An industrial sector (textiles, cotton, solar, ...)."},
}

var kindByName = func() map[Kind]KindInfo {
	m := make(map[Kind]KindInfo, len(kinds))
	for _, k := range kinds {
		m[k.Kind] = k
	}
	return m
}()

// Kinds returns every entity kind, in a stable order.
func Kinds() []KindInfo { return append([]KindInfo(nil), kinds...) }

// LookupKind returns the kind's description and whether it exists.
func LookupKind(k Kind) (KindInfo, bool) {
	info, ok := kindByName[k]
	return info, ok
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { _, ok := kindByName[k]; return ok }

// Label is the Neo4j label for the kind ("" for unknown kinds).
func (k Kind) Label() string { return kindByName[k].Label }
