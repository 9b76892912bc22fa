package spelling

import (
	"slices"
	"testing"
)

func TestVariants(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  []string // each must be among the variants
		not   []string // none of these may be
	}{
		{[]string{"Aksu Prefecture", "阿克苏地区"}, []string{"akesu", "a ke su", "akesudiqu", "a ke su di qu", "阿克蘇地區"}, nil},
		{[]string{"Hotan Prefecture", "和田地区"}, []string{"hetian", "he tian di qu"}, nil},
		{[]string{"Kashgar Prefecture", "喀什地区"}, []string{"kashi", "ka shi"}, nil},
		{[]string{"Urumqi", "乌鲁木齐市"}, []string{"wulumuqi", "烏魯木齊市"}, nil},
		{[]string{"Turpan", "吐鲁番市"}, []string{"tulufan"}, nil},
		{[]string{"Luo Gan", "羅干"}, []string{"罗干", "luogan"}, nil},
		{[]string{"Labour-dispatch companies"}, []string{"labor dispatch companies"}, []string{"labour dispatch companies"}},
		{[]string{"Vocational training centre"}, []string{"vocational training center"}, nil},
		{[]string{"Labor Bureau"}, []string{"labour bureau"}, nil},
		{[]string{"Organisation Department"}, []string{"organization department"}, nil},
		{[]string{"Xinjiang Aid programme"}, []string{"xinjiang aid program"}, nil},
		{[]string{"Four Hours"}, nil, []string{"for hors", "for hours"}},
	} {
		got := Variants(tc.names...)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("Variants(%q) lacks %q; got %q", tc.names, w, got)
			}
		}
		for _, n := range tc.not {
			if slices.Contains(got, n) {
				t.Errorf("Variants(%q) has %q (the name itself or a wrong spelling)", tc.names, n)
			}
		}
	}
}

func TestNormal(t *testing.T) {
	for in, want := range map[string]string{
		"Labour-dispatch  companies": "labour dispatch companies",
		" Aksu (City) ":              "aksu city",
		"喀什地区":                       "喀什地区",
		"XPCC 3rd Division":          "xpcc 3rd division",
	} {
		if got := Normal(in); got != want {
			t.Errorf("Normal(%q) = %q, want %q", in, got, want)
		}
	}
}
