package domain

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// maxEchoBytes bounds any message that quotes user input: an id or a date
// is echoed at most truncated (80 runes, each at most 10 bytes once %q
// escapes it), plus the message's own words.
const maxEchoBytes = 1200

// Seeds shared by the fuzz targets of this package: real values, near
// misses, Chinese text, Lucene and Cypher syntax, invalid UTF-8, huge input.
var fuzzStrings = []string{
	"", " ", "2010", "2010-03", "2010-03-29", "2024-02-29", "2023-02-29", "0999", "9999-12-31",
	"2010-13", "2010-00", "2010-3", "2010-03-32", "２０１０", "2010\n", "2010-03-29T00:00:00Z",
	"county:moyu", "prefecture:aksu", "src:xinhua-2010-04-19-mirror", "rel:paired-with:beijing--moyu",
	"src:", "rel:", "county:", ":moyu", "County:moyu", "county:Moyu", "county:墨玉", "县:墨玉",
	"src:rel:x", "rel:src:x", "a:b", "a_b:c.d-e:f", "county:moyu\x00", "county:moyu\n",
	"\xff", "county:\xffmoyu", "\xed\xa0\x80", "\xc0\xaf", "src:\xfe",
	`') MATCH (n) DETACH DELETE n //`, "$param", "`x` ", `county:a"}) RETURN 1 //`,
	`name:foo* AND NOT bar~2 || (x) && y^3 "z" [a TO b] {c TO d} /re/ \`,
	"墨玉縣", "和田地区 墨玉县", "Xīnjiāng", "\u3000", "\u202e", "\ufeff",
	strings.Repeat("a", MaxIDLen), "county:" + strings.Repeat("a", MaxIDLen),
	"county:" + strings.Repeat("墨", 1000), strings.Repeat("\xff", 5000), strings.Repeat("2010", 1<<14),
}

func FuzzParsePartialDate(f *testing.F) {
	for _, s := range fuzzStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParsePartialDate(s)
		if err != nil {
			if d != (PartialDate{}) {
				t.Errorf("ParsePartialDate(%q) = %+v with error %v, want the zero date", s, d, err)
			}
			checkMessage(t, "ParsePartialDate", err.Error())
			return
		}
		if got := d.String(); got != s {
			t.Fatalf("ParsePartialDate(%q).String() = %q, want the input back", s, got)
		}
		if s == "" {
			if !d.IsZero() || d.Start() != "" || d.End() != "" {
				t.Fatalf("the empty date is %+v start %q end %q", d, d.Start(), d.End())
			}
			return
		}
		again, err := ParsePartialDate(d.String())
		if err != nil || again != d {
			t.Fatalf("round trip of %q: %+v, %v", s, again, err)
		}
		start, end := mustDay(t, d.Start()), mustDay(t, d.End())
		if start.After(end) {
			t.Fatalf("%q: Start %s after End %s", s, d.Start(), d.End())
		}
		if !strings.HasPrefix(d.Start(), s) || !strings.HasPrefix(d.End(), s) {
			t.Fatalf("%q: Start %s / End %s do not extend the date", s, d.Start(), d.End())
		}
		// The interval is exactly the year, the month or the day.
		var wantEnd time.Time
		switch {
		case d.Month == 0:
			wantEnd = start.AddDate(1, 0, -1)
		case d.Day == 0:
			wantEnd = start.AddDate(0, 1, -1)
		default:
			wantEnd = start
		}
		if !end.Equal(wantEnd) {
			t.Fatalf("%q: End %s, want %s", s, d.End(), wantEnd.Format(time.DateOnly))
		}
	})
}

// FuzzActiveOn checks ActiveOn against interval overlap computed with
// time.Time, for any three dates the parser accepts.
func FuzzActiveOn(f *testing.F) {
	f.Add("2010", "", "2010-03")
	f.Add("", "2014", "2014-12-31")
	f.Add("2015-06-01", "2014", "2015")
	f.Add("2010-03-29", "2010-03-29", "2010-03")
	f.Add("2024-02", "2024-02-29", "2024")
	f.Add("", "", "")
	f.Add("2010", "2009", "")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		from, err1 := ParsePartialDate(a)
		to, err2 := ParsePartialDate(b)
		d, err3 := ParsePartialDate(c)
		if err1 != nil || err2 != nil || err3 != nil {
			return
		}
		got := ActiveOn(from, to, d)
		want := true
		if !d.IsZero() {
			dStart, dEnd := mustDay(t, d.Start()), mustDay(t, d.End())
			if !from.IsZero() && mustDay(t, from.Start()).After(dEnd) {
				want = false
			}
			if !to.IsZero() && mustDay(t, to.End()).Before(dStart) {
				want = false
			}
		}
		if got != want {
			t.Fatalf("ActiveOn(%q, %q, %q) = %v, want %v", a, b, c, got, want)
		}
		// Forgetting a bound never makes a claim inactive.
		if got && (!ActiveOn(PartialDate{}, to, d) || !ActiveOn(from, PartialDate{}, d)) {
			t.Fatalf("ActiveOn(%q, %q, %q) is true but false with a bound dropped", a, b, c)
		}
		// A claim is active on the dates it starts and ends.
		if !from.IsZero() && !to.IsZero() && from.Start() <= to.End() {
			if !ActiveOn(from, to, from) || !ActiveOn(from, to, to) {
				t.Fatalf("claim %q..%q not active on its own ends", a, b)
			}
		}
	})
}

// FuzzIDs checks the id predicates and CheckEntityID on any string: no
// panic, at most one kind of id, valid ids are short ASCII, and the error
// for a bad id is BAD_USER_INPUT with a bounded, valid UTF-8 message.
func FuzzIDs(f *testing.F) {
	for _, s := range fuzzStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		entity, source, relation := ValidEntityID(s), ValidSourceID(s), ValidRelationID(s)
		n := 0
		for _, ok := range []bool{entity, source, relation} {
			if ok {
				n++
			}
		}
		if n > 1 {
			t.Fatalf("%q is valid as %d kinds of id (entity %v, source %v, relation %v)", s, n, entity, source, relation)
		}
		if n == 1 {
			if len(s) > MaxIDLen {
				t.Fatalf("valid id of %d bytes", len(s))
			}
			for i := 0; i < len(s); i++ {
				if c := s[i]; c < 0x21 || c > 0x7e || (c >= 'A' && c <= 'Z') {
					t.Fatalf("valid id %q has byte %#x", s, c)
				}
			}
			if !strings.Contains(s, ":") {
				t.Fatalf("valid id %q has no ':'", s)
			}
		}
		err := CheckEntityID(s)
		if (err == nil) != entity {
			t.Fatalf("CheckEntityID(%q) = %v, ValidEntityID = %v", s, err, entity)
		}
		if err != nil {
			if code := ErrorCode(err); code != EBADINPUT {
				t.Fatalf("CheckEntityID(%q) code %s, want %s", s, code, EBADINPUT)
			}
			checkMessage(t, "CheckEntityID", ErrorMessage(err))
		}
		// The same string in every id field of every item: each problem
		// must still have a bounded, valid message.
		src := Source{ID: s, Title: "t", Type: "ngo", Grade: "B"}
		ent := Entity{ID: s, Kind: Kind(s), Name: "n", Citations: []Citation{{SourceID: s, Quote: "q"}}}
		rel := Relation{ID: s, Type: s, From: s, To: s, Confidence: Confidence(s), Citations: []Citation{{SourceID: s, Locator: "p. 1"}}}
		ds := Dataset{Sources: []Source{src, src}, Entities: []Entity{ent, ent}, Relations: []Relation{rel, rel}}
		for _, e := range ds.Validate(nil) {
			checkMessage(t, "Dataset.Validate "+e.Field, e.Message)
		}
	})
}

func checkMessage(t *testing.T, what, msg string) {
	t.Helper()
	if msg == "" {
		t.Fatalf("%s: empty message", what)
	}
	if !utf8.ValidString(msg) {
		t.Fatalf("%s: message is not valid UTF-8: %q", what, msg)
	}
	if len(msg) > maxEchoBytes {
		t.Fatalf("%s: message of %d bytes (at most %d): %.200q...", what, len(msg), maxEchoBytes, msg)
	}
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatalf("%q is not a day: %v", s, err)
	}
	return d
}
