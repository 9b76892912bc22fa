package domain

// Kind is an entity kind. Each kind is also a Neo4j label (see Kind.Label).
type Kind string

// KindInfo describes a kind for people and for the API.
type KindInfo struct {
	Kind        Kind
	Label       string // Neo4j label, from this table only
	Description string
	// Level places the kind in the hierarchy for ranking search hits: a
	// lower level is a higher-level body (0 central, 1 provincial, 2
	// prefectural, 3 city, 4 county, 5 below, 6 not a body).
	Level int
}

// kinds is the one list of entity kinds.
var kinds = []KindInfo{
	{"party_body", "PartyBody", "A body of the Chinese Communist Party (e.g. the CCP Central Committee).", 0},
	{"state_body", "StateBody", "A body of the state (e.g. the State Council, a ministry, a people's government).", 0},
	{"leading_group", "LeadingGroup", "A leading or coordination (small) group and its office.", 1},
	{"department", "Department", "A department inside a larger body (e.g. an NDRC department).", 2},
	{"province", "Province", "A province or province-level municipality, as an aiding party.", 1},
	{"region", "Region", "The Xinjiang Uyghur Autonomous Region (XUAR) as a whole.", 1},
	{"city", "City", "A city (prefecture- or county-level) or its government.", 3},
	{"district", "District", "A city district (e.g. Shanghai Pudong New Area).", 4},
	{"prefecture", "Prefecture", "A prefecture or autonomous prefecture in the XUAR.", 2},
	{"county", "County", "A county or county-level unit in the XUAR.", 4},
	{"xpcc", "Xpcc", "The Xinjiang Production and Construction Corps (XPCC, 兵团) as a whole.", 1},
	{"xpcc_division", "XpccDivision", "An XPCC division (师), often with its city.", 3},
	{"xpcc_regiment", "XpccRegiment", "An XPCC regiment (团).", 5},
	{"frontline_hq", "FrontlineHq", "A front-line headquarters (前方指挥部) an aiding province keeps in Xinjiang.", 3},
	{"bureau", "Bureau", "A local government bureau (e.g. Human Resources and Social Security).", 5},
	{"company", "Company", "A company or group.", 6},
	{"labour_dispatch_firm", "LabourDispatchFirm", "A labour-dispatch firm that recruits and moves workers.", 6},
	{"factory", "Factory", "A factory or production site.", 6},
	{"industrial_park", "IndustrialPark", "An industrial park or zone.", 6},
	{"training_centre", "TrainingCentre", "A 'vocational training' or 'education' centre.", 6},
	{"school", "School", "A school or vocational school (e.g. one that sent students to factories).", 6},
	{"association", "Association", "A chamber of commerce, trade or business association.", 6},
	{"buyer", "Buyer", "A buyer or brand supplied by a factory.", 6},
	{"person", "Person", "A named person, in a public role.", 6},
	{"event", "Event", "A dated event: a conference, forum, campaign, massacre.", 6},
	{"statement", "Statement", "A dated public statement by a person.", 6},
	{"programme", "Programme", "A policy, programme or programme phase.", 6},
	{"cadre_batch", "CadreBatch", "A batch of cadres (援疆干部) sent to Xinjiang.", 6},
	{"designation_list", "DesignationList", "A sanctions or designation list (e.g. the UFLPA Entity List).", 6},
	{"statistic", "Statistic", "A published figure (e.g. labour transfers in a year).", 6},
	{"sector", "Sector", "An industrial sector (textiles, cotton, solar, ...).", 6},
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

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { _, ok := kindByName[k]; return ok }

// Label is the Neo4j label for the kind ("" for unknown kinds).
func (k Kind) Label() string { return kindByName[k].Label }

// Level is the kind's place in the hierarchy (see KindInfo.Level).
func (k Kind) Level() int {
	if info, ok := kindByName[k]; ok {
		return info.Level
	}
	return 6
}
