package domain

import (
	"fmt"
	"time"
)

// PartialDate is a date known to the year, the month or the day. The zero
// value means "unknown" (no date).
type PartialDate struct {
	Year, Month, Day int
}

// PartialDatePattern is the form ParsePartialDate accepts, as a regular
// expression for clients that check a date before sending it (the explorer
// reads it from web/src/registry.json). It accepts every date the parser
// does; the parser also rejects a day past its month's end (2015-02-30),
// which the pattern cannot see. date_test.go checks that they agree.
const PartialDatePattern = `^[1-9]\d{3}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$`

// dateParts splits "YYYY", "YYYY-MM" or "YYYY-MM-DD" (ASCII digits) into
// its numbers (0 for a part not given); ok is false for any other form.
// Every stored relation's dates are parsed on every read: no regexp.
func dateParts(s string) (y, m, d int, ok bool) {
	num := func(t string) (int, bool) {
		n := 0
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return 0, false
			}
			n = n*10 + int(t[i]-'0')
		}
		return n, true
	}
	var oy, om, od bool
	switch len(s) {
	case 4:
		y, oy = num(s)
		return y, 0, 0, oy
	case 7:
		y, oy = num(s[:4])
		m, om = num(s[5:])
		return y, m, 0, oy && om && s[4] == '-'
	case 10:
		y, oy = num(s[:4])
		m, om = num(s[5:7])
		d, od = num(s[8:])
		return y, m, d, oy && om && od && s[4] == '-' && s[7] == '-'
	}
	return 0, 0, 0, false
}

// ymd formats a day as YYYY-MM-DD (years of four digits).
func ymd(y, m, d int) string {
	b := [10]byte{byte('0' + y/1000%10), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10%10), byte('0' + m%10), '-', byte('0' + d/10%10), byte('0' + d%10)}
	return string(b[:])
}

// ParsePartialDate parses "YYYY", "YYYY-MM" or "YYYY-MM-DD". The empty string
// gives the zero PartialDate.
func ParsePartialDate(s string) (PartialDate, error) {
	if s == "" {
		return PartialDate{}, nil
	}
	var d PartialDate
	var ok bool
	d.Year, d.Month, d.Day, ok = dateParts(s)
	if !ok {
		return PartialDate{}, fmt.Errorf("%q is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD", truncate(s, 40))
	}
	if d.Year < 1000 {
		return PartialDate{}, fmt.Errorf("%q: year out of range", s)
	}
	if len(s) > 4 {
		if d.Month < 1 || d.Month > 12 {
			return PartialDate{}, fmt.Errorf("%q: month must be 01 to 12", s)
		}
	}
	if len(s) > 7 {
		last := time.Date(d.Year, time.Month(d.Month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		if d.Day < 1 || d.Day > last {
			return PartialDate{}, fmt.Errorf("%q: day must be 01 to %02d", s, last)
		}
	}
	return d, nil
}

// IsZero reports whether the date is unknown.
func (d PartialDate) IsZero() bool { return d.Year == 0 }

// String returns the date in the form it was given ("" when unknown).
func (d PartialDate) String() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Start is the first day the partial date can mean, as YYYY-MM-DD ("" when unknown).
func (d PartialDate) Start() string {
	if d.IsZero() {
		return ""
	}
	m, day := d.Month, d.Day
	if m == 0 {
		m = 1
	}
	if day == 0 {
		day = 1
	}
	return ymd(d.Year, m, day)
}

// End is the last day the partial date can mean, as YYYY-MM-DD ("" when unknown).
func (d PartialDate) End() string {
	if d.IsZero() {
		return ""
	}
	m, day := d.Month, d.Day
	if m == 0 {
		m = 12
	}
	if day == 0 {
		day = time.Date(d.Year, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	}
	return ymd(d.Year, m, day)
}

// ActiveOn reports whether a claim valid from..to (either may be unknown) is
// active on the partial date d. Partial dates are intervals: the claim is
// active when its interval overlaps d's, so a relation valid from 2010 is
// active "as of 2010-03", and one valid to 2014 is active as of 2014-12-31.
func ActiveOn(from, to, d PartialDate) bool {
	if d.IsZero() {
		return true
	}
	if !from.IsZero() && from.Start() > d.End() {
		return false
	}
	if !to.IsZero() && to.End() < d.Start() {
		return false
	}
	return true
}
