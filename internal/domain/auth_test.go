package domain

import (
	"strings"
	"testing"
)

// Key names and labels are text without control characters (issue 12,
// point 11): a name cannot forge a line of `keys list` or of a log.
func TestKeyNames(t *testing.T) {
	for _, tt := range []struct {
		name, label string
		ok          bool
	}{
		{"Jane Doe, editor", "", true},
		{"Jane Doe", "J. D.", true},
		{"", "", false},
		{"Jane\nroot  admin  2026", "", false},
		{"Jane\x1b[31m", "", false},
		{"Jane", "J\tD", false},
		{"Jane", strings.Repeat("l", MaxKeyLabelLen+1), false},
		{strings.Repeat("n", MaxKeyNameLen+1), "", false},
		{"Jane \xff", "", false},
	} {
		err := CheckKeyName(tt.name, tt.label)
		if (err == nil) != tt.ok || err != nil && ErrorCode(err) != EBADINPUT {
			t.Errorf("CheckKeyName(%q, %q) = %v, want ok %v", tt.name, tt.label, err, tt.ok)
		}
	}
}
