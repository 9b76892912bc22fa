package server

import (
	"slices"
	"testing"

	"github.com/aidtrace/aidtrace/internal/domain"
)

func TestCoreForm(t *testing.T) {
	tests := []struct {
		in, text string
		admin    []string
	}{
		{"qingdao taekwang shoes co", "qingdao taekwang shoes", nil},
		{"ofilm nanchang factory", "ofilm nanchang", nil},
		{"aksu prefecture", "aksu", []string{"prefecture"}},
		{"hotan county", "hotan", []string{"county"}},
		{"阿克苏地区", "阿克苏", []string{"prefecture"}},
		{"青岛泰光制鞋有限公司", "青岛泰光制鞋", nil},
		{"新疆维吾尔自治区", "新疆", []string{"region"}},
		{"co ltd", "co ltd", nil}, // nothing but noise: kept whole
		{"市", "市", nil},           // a suffix alone is not dropped
	}
	for _, tt := range tests {
		got := core(tt.in)
		if got.text != tt.text || !slices.Equal(got.admin, tt.admin) {
			t.Errorf("core(%q) = %q %v, want %q %v", tt.in, got.text, got.admin, tt.text, tt.admin)
		}
	}
}

func TestNameScoreTiers(t *testing.T) {
	prefecture := &domain.Entity{ID: "prefecture:x", Name: "Aksu Prefecture", NameZh: "阿克苏地区", Aliases: []string{"Aksu"}}
	county := &domain.Entity{ID: "county:x", Name: "Hotan County", NameZh: "和田县"}
	bureau := &domain.Entity{ID: "bureau:x", Name: "Labour Bureau of Moyu"}
	firm := &domain.Entity{ID: "factory:x", Name: "Qingdao Taekwang Shoes Co."}
	tests := []struct {
		query string
		e     *domain.Entity
		tier  int
	}{
		{"Aksu", prefecture, tierName},
		{"aksu prefecture", prefecture, tierName},
		{"阿克苏地区", prefecture, tierName},
		{"Akesu", prefecture, tierSpelling},            // pinyin without the level
		{"阿克蘇地區", prefecture, tierSpelling},            // traditional
		{"阿克蘇", prefecture, tierCore},                  // traditional, without the level
		{"Labor Bureau of Moyu", bureau, tierSpelling}, // US spelling
		{"Qingdao Taekwang Shoes", firm, tierCore},
		{"QINGDAO TAEKWANG SHOES CO., LTD.", firm, tierCore},
		{"Hotan", county, tierCore},
		{"Hotan Prefecture", county, tierNone}, // the levels differ
		{"Qingdao Taekwong Shoes", firm, tierNone},
		{"Nanchang", firm, tierNone},
	}
	for _, tt := range tests {
		tier, sim := nameScore(queryForms(tt.query), entityForms(tt.e))
		if tier != tt.tier {
			t.Errorf("%q vs %s: tier %d, want %d", tt.query, tt.e.Name, tier, tt.tier)
		}
		if tier == tierNone && sim >= 1 {
			t.Errorf("%q vs %s: similarity %v for a name that is not exact", tt.query, tt.e.Name, sim)
		}
	}
	// A Chinese query is not matched through its reading: two names that
	// sound alike are different names.
	if tier, _ := nameScore(queryForms("和天"), entityForms(county)); tier != tierNone {
		t.Errorf("a homophone matched at tier %d", tier)
	}
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b     string
		min, max float64
	}{
		{"qingdao taekwong shoes", "qingdao taekwang shoes", 0.9, 0.99},
		{"ofilm", "ofilm nanchang", 0.6, 0.7},
		{"zzyzx unknown trading", "qingdao taekwang shoes", 0, 0.3},
		{"", "x", 0, 0},
	}
	for _, tt := range tests {
		if got := similarity(tt.a, tt.b); got < tt.min || got > tt.max {
			t.Errorf("similarity(%q, %q) = %v, want %v–%v", tt.a, tt.b, got, tt.min, tt.max)
		}
	}
}

// The match flag: one exact candidate, not contradicted by a place.
func TestScoreMatchFlag(t *testing.T) {
	a := domain.Entity{ID: "factory:a", Kind: "factory", Name: "Qiaoxi Footwear Co., Ltd."}
	b := domain.Entity{ID: "factory:b", Kind: "factory", Name: "Qiaoxi Footwear Co., Ltd."}
	c := domain.Entity{ID: "company:c", Kind: "company", Name: "Qiaoxi Group Holdings Trading"}
	hA := domain.Entity{ID: "city:ha", Kind: "city", Name: "Haigang"}
	places := map[string][]domain.Entity{"factory:a": {hA}, "factory:b": {{ID: "city:s", Kind: "city", Name: "Shanjiao"}}}
	forms := func(e *domain.Entity) *nameForms { return entityForms(e) }
	if got := score(matchQuery{Text: "Qiaoxi Footwear"}, []domain.Entity{a, b, c}, places, forms); got[0].Match || got[1].Match {
		t.Errorf("namesakes matched: %+v", got)
	}
	got := score(matchQuery{Text: "Qiaoxi Footwear", Places: []placeValue{{"city", "Haigang"}}}, []domain.Entity{b, a, c}, places, forms)
	if got[0].Entity.ID != "factory:a" || !got[0].Match || got[1].Match {
		t.Errorf("city Haigang: %+v", got)
	}
	got = score(matchQuery{Text: "Qiaoxi Footwear", Places: []placeValue{{"city", "Beijing"}}}, []domain.Entity{a}, places, forms)
	if got[0].Match || got[0].Score >= scoreCore {
		t.Errorf("a contradicted exact name: %+v", got)
	}
	got = score(matchQuery{Text: "Qiaoxi Footwear", Places: []placeValue{{"country", "Germany"}}}, []domain.Entity{a}, places, forms)
	if got[0].Match {
		t.Errorf("a factory in China matched a German row: %+v", got)
	}
	got = score(matchQuery{Text: "Qiaoxi Footwear", Places: []placeValue{{"country", "PRC"}}, Limit: 1}, []domain.Entity{a}, places, forms)
	if !got[0].Match || got[0].Score != 100 {
		t.Errorf("country PRC: %+v", got)
	}
}

func TestKindName(t *testing.T) {
	for k, want := range map[domain.Kind]string{"labour_dispatch_firm": "Labour dispatch firm", "xpcc_division": "XPCC division", "frontline_hq": "Frontline HQ", "factory": "Factory"} {
		if got := kindName(k); got != want {
			t.Errorf("kindName(%s) = %q, want %q", k, got, want)
		}
	}
}

func TestParseSheet(t *testing.T) {
	tests := []struct {
		name, data string
		opts       supplierOpts
		header     []string
		cols       map[string]int
		rows       int
	}{
		{"usual headers", "Company Name,Town,Country/Region\nA,B,C\n", supplierOpts{}, []string{"Company Name", "Town", "Country/Region"},
			map[string]int{"name": 0, "city": 1, "country": 2}, 1},
		{"chinese headers", "企业名称,城市\nA,B\n", supplierOpts{}, []string{"企业名称", "城市"}, map[string]int{"name": 0, "city": 1}, 1},
		{"semicolons", "factory_name;province\nA;B\nC;D\n", supplierOpts{}, []string{"factory_name", "province"}, map[string]int{"name": 0, "province": 1}, 2},
		{"no header", "A\nB\nC\n", supplierOpts{}, []string{"column1"}, map[string]int{"name": 0}, 3},
		{"named", "x,Vendor\n1,A\n", supplierOpts{columns: map[string]string{"name": "vendor"}}, []string{"x", "Vendor"}, map[string]int{"name": 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseSheet([]byte(tt.data), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.header, tt.header) || len(s.rows) != tt.rows {
				t.Errorf("header %v rows %d, want %v %d", s.header, len(s.rows), tt.header, tt.rows)
			}
			for role, i := range tt.cols {
				if s.col[role] != i {
					t.Errorf("%s in column %d, want %d", role, s.col[role], i)
				}
			}
			if len(s.col) != len(tt.cols) {
				t.Errorf("columns %v, want %v", s.col, tt.cols)
			}
		})
	}
}
