package domain

import "testing"

// TestArgCheck: below an argument's range is bad input, above it a limit
// exceeded, and the error names the argument.
func TestArgCheck(t *testing.T) {
	for _, c := range []struct {
		a    Arg
		n    int
		code string
	}{
		{HoodDepth, -1, EBADINPUT}, {HoodDepth, 0, ""}, {HoodDepth, MaxHoodDepth, ""}, {HoodDepth, MaxHoodDepth + 1, ELIMIT},
		{EntitiesFirst, 0, EBADINPUT}, {EntitiesFirst, 1, ""}, {EntitiesFirst, MaxPageSize + 1, ELIMIT},
		{ChainDepth, MaxChainDepth + 1, ELIMIT}, {PathsFirst, MaxPaths, ""},
	} {
		err := c.a.Check(c.n)
		if got := ErrorCode(err); err != nil && got != c.code || err == nil && c.code != "" {
			t.Errorf("%s.Check(%d) = %v, want code %q", c.a.Name, c.n, err, c.code)
		}
		if err != nil && !containsWord(ErrorMessage(err), c.a.Name) {
			t.Errorf("%s.Check(%d): %q does not name the argument", c.a.Name, c.n, ErrorMessage(err))
		}
	}
}

func containsWord(s, w string) bool {
	return len(s) >= len(w) && s[:len(w)] == w
}
