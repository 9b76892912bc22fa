package domain

import (
	"fmt"
	"regexp"
	"testing"
)

func TestParsePartialDate(t *testing.T) {
	tests := []struct {
		in, want, start, end string
		wantErr              bool
	}{
		{in: "", want: ""},
		{in: "2010", want: "2010", start: "2010-01-01", end: "2010-12-31"},
		{in: "2010-03", want: "2010-03", start: "2010-03-01", end: "2010-03-31"},
		{in: "2024-02", want: "2024-02", start: "2024-02-01", end: "2024-02-29"},
		{in: "2010-03-29", want: "2010-03-29", start: "2010-03-29", end: "2010-03-29"},
		{in: "2010-13", wantErr: true},
		{in: "2010-00", wantErr: true},
		{in: "2023-02-29", wantErr: true},
		{in: "2010-3", wantErr: true},
		{in: "10", wantErr: true},
		{in: "0999", wantErr: true},
		{in: "March 2010", wantErr: true},
		{in: "2010-03-29T00:00:00Z", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParsePartialDate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParsePartialDate(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if got := d.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if got := d.Start(); got != tt.start {
				t.Errorf("Start() = %q, want %q", got, tt.start)
			}
			if got := d.End(); got != tt.end {
				t.Errorf("End() = %q, want %q", got, tt.end)
			}
		})
	}
}

func TestActiveOn(t *testing.T) {
	d := func(s string) PartialDate {
		t.Helper()
		p, err := ParsePartialDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name           string
		from, to, asOf string
		want           bool
	}{
		{"no dates, any day", "", "", "2020-01-01", true},
		{"no asOf", "2010", "2014", "", true},
		{"before start", "2010", "", "2009-12-31", false},
		{"year start covers its months", "2010", "", "2010-03", true},
		{"day start after month asOf start", "2010-03-29", "", "2010-03", true},
		{"day start after asOf day", "2010-03-29", "", "2010-03-28", false},
		{"inside", "2010", "2014", "2012-06-01", true},
		{"last day of end year", "2010", "2014", "2014-12-31", true},
		{"after end", "2010", "2014", "2015-01-01", false},
		{"open start, after end", "", "2014-05", "2014-06", false},
		{"open start, before end", "", "2014-05", "1990", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ActiveOn(d(tt.from), d(tt.to), d(tt.asOf)); got != tt.want {
				t.Errorf("ActiveOn(%q, %q, %q) = %v, want %v", tt.from, tt.to, tt.asOf, got, tt.want)
			}
		})
	}
}

// PartialDatePattern, the explorer's copy of the date rule, accepts what
// ParsePartialDate accepts and rejects what it rejects, except a day past
// the end of its month.
func TestPartialDatePatternAgrees(t *testing.T) {
	re := regexp.MustCompile(PartialDatePattern)
	var inputs []string
	for _, y := range []string{"0999", "1000", "1999", "2015", "2016", "9999", "201", "20155", "２０１５", "201a"} {
		inputs = append(inputs, y, y+"-", y+"-1")
		for m := 0; m <= 13; m++ {
			ym := fmt.Sprintf("%s-%02d", y, m)
			inputs = append(inputs, ym)
			for d := 0; d <= 32; d++ {
				inputs = append(inputs, fmt.Sprintf("%s-%02d", ym, d), fmt.Sprintf("%s-%d", ym, d))
			}
		}
	}
	inputs = append(inputs, "", " 2015", "2015 ", "2015/01", "2015-01-01T00:00", "+2015")
	for _, s := range inputs {
		_, err := ParsePartialDate(s)
		match := re.MatchString(s)
		switch {
		case s == "":
			// the zero date: no date given, not a form
		case err == nil && !match:
			t.Errorf("%q: the parser accepts it, the pattern does not", s)
		case err != nil && match && !pastMonthEnd(s):
			t.Errorf("%q: the pattern accepts it, the parser does not: %v", s, err)
		}
	}
}

// pastMonthEnd reports whether s is YYYY-MM-DD with a day its month lacks.
func pastMonthEnd(s string) bool {
	var y, m, d int
	if n, _ := fmt.Sscanf(s, "%4d-%2d-%2d", &y, &m, &d); n != 3 || len(s) != 10 {
		return false
	}
	return d > 28 && d <= 31
}
