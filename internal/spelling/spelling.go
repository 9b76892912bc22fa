// Package spelling generates the other spellings under which people look
// for a name: Hanyu pinyin of Chinese names (toneless, spaced and
// unspaced, every reading of a character with several), the simplified and
// traditional forms of Chinese text, British and American spellings of
// English words, and a normal form for comparing names. The search index
// stores these variants, so a search finds an entity however it is spelled.
package spelling

import (
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/longbridgeapp/opencc"
	pinyin "github.com/mozillazg/go-pinyin"
)

// Normal is the form names are compared in: lower case, every run of
// characters that are not letters or digits one space, trimmed ("Labour-
// dispatch companies" and "labour dispatch companies" are equal).
func Normal(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

var (
	ccOnce     sync.Once
	t2s, s2t   *opencc.OpenCC
	errOpenCC  error
	pinyinArgs = func() pinyin.Args {
		a := pinyin.NewArgs()
		a.Heteronym = true // 什 in 喀什 is read shi, not only shen
		return a
	}()
)

func converters() (*opencc.OpenCC, *opencc.OpenCC, error) {
	ccOnce.Do(func() {
		if t2s, errOpenCC = opencc.New("t2s"); errOpenCC == nil {
			s2t, errOpenCC = opencc.New("s2t")
		}
	})
	return t2s, s2t, errOpenCC
}

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// ChineseForms returns s in simplified and in traditional characters (s
// itself among them), without duplicates.
func ChineseForms(s string) []string {
	out := []string{s}
	if !hasHan(s) {
		return out
	}
	ts, st, err := converters()
	if err != nil {
		return out
	}
	for _, c := range []*opencc.OpenCC{ts, st} {
		if v, err := c.Convert(s); err == nil {
			out = appendNew(out, v)
		}
	}
	return out
}

// adminSuffixes are the endings of Chinese administrative names (地区
// prefecture, 市 city, 县 county …). A name is also searched for without
// them: 阿克苏地区 is found as "Akesu".
var adminSuffixes = []string{"维吾尔自治区", "自治区", "自治州", "自治县", "地区", "省", "市", "县", "区", "州", "盟", "旗"}

// maxReadings bounds the pinyin variants of one name (characters with
// several readings multiply them).
const maxReadings = 8

// Pinyin returns the toneless Hanyu pinyin of the Chinese characters in s,
// spaced ("a ke su di qu") and unspaced ("akesudiqu"), for every reading
// of characters that have several (at most maxReadings combinations), and
// the same for s without an administrative suffix ("a ke su", "akesu").
// Text without Chinese characters gives nothing.
func Pinyin(s string) []string {
	var out []string
	for _, form := range ChineseForms(s) {
		if !hasHan(form) {
			continue
		}
		bases := []string{form}
		for _, suf := range adminSuffixes {
			if t := strings.TrimSuffix(form, suf); t != form && len([]rune(t)) >= 2 {
				bases = append(bases, t)
				break
			}
		}
		for _, b := range bases {
			for _, syllables := range readings(b) {
				out = appendNew(out, strings.Join(syllables, " "), strings.Join(syllables, ""))
			}
		}
	}
	return out
}

// readings returns the syllable sequences of s, one per combination of
// readings, at most maxReadings.
func readings(s string) [][]string {
	per := pinyin.Pinyin(s, pinyinArgs)
	combos := [][]string{{}}
	for _, rs := range per {
		if len(rs) == 0 {
			continue
		}
		var next [][]string
		for _, c := range combos {
			for _, r := range rs {
				if len(next) == maxReadings {
					break
				}
				next = append(next, append(append([]string(nil), c...), r))
			}
		}
		combos = next
	}
	if len(combos) == 1 && len(combos[0]) == 0 {
		return nil
	}
	return combos
}

// A spelling rule rewrites a word ending; both directions of each pair are
// applied (British to American and back). A rule that makes a word that
// does not exist only adds a spelling nobody searches for.
type rule struct {
	re   *regexp.Regexp
	repl string
}

var rules = func() []rule {
	pairs := [][2]string{
		{`([^aeiou][aeiou]?[a-z])our(s|ed|er|ers|ing|ite|ites|able)?$`, `${1}or${2}`}, // labour, colour, harbour
		{`([a-z]{2,}[^aeiou])or(s|ed|er|ers|ing|ite|ites|able)?$`, `${1}our${2}`},     // labor, color, harbor
		{`([bt])re(s|d)?$`, `${1}er${2}`},                                             // centre, fibre
		{`([bt])er(s|ed)?$`, `${1}re${2}`},                                            // center, fiber
		{`is(e|ed|es|ing|er|ers|ation|ations)$`, `iz${1}`},                            // organise, organisation
		{`iz(e|ed|es|ing|er|ers|ation|ations)$`, `is${1}`},                            // organize, organization
		{`ys(e|ed|es|ing)$`, `yz${1}`},                                                // analyse
		{`yz(e|ed|es|ing)$`, `ys${1}`},                                                // analyze
		{`([lf])ence(s)?$`, `${1}ense${2}`},                                           // licence, defence
		{`([lf])ense(s)?$`, `${1}ence${2}`},                                           // license, defense
		{`ogue(s)?$`, `og${1}`},                                                       // catalogue
		{`ramme(s)?$`, `ram${1}`},                                                     // programme
		{`ram(s)?$`, `ramme${1}`},                                                     // program
		{`([aeiou])ll(ed|ing|er|ers)$`, `${1}l${2}`},                                  // travelled
		{`([aeiou])l(ed|ing|er|ers)$`, `${1}ll${2}`},                                  // traveled
	}
	out := make([]rule, len(pairs))
	for i, p := range pairs {
		out[i] = rule{regexp.MustCompile(p[0]), p[1]}
	}
	return out
}()

// notOur are words ending in "our" that are the same in both spellings.
var notOur = map[string]bool{"four": true, "hour": true, "hours": true, "your": true, "yours": true, "tour": true, "tours": true,
	"pour": true, "flour": true, "sour": true, "dour": true, "amour": true, "detour": true, "contour": true, "devour": true,
	"our": true, "ours": true, "fours": true}

// wordVariants returns the other spellings of one lower-case word.
func wordVariants(w string) []string {
	if len(w) < 4 || notOur[w] {
		return nil
	}
	var out []string
	for _, r := range rules {
		if r.re.MatchString(w) {
			if v := r.re.ReplaceAllString(w, r.repl); v != w {
				out = appendNew(out, v)
			}
		}
	}
	return out
}

// English returns the spellings of s with each word in its other spelling
// (British and American), one word changed at a time and all changed, in
// normal form; nothing when no word has another spelling.
func English(s string) []string {
	words := strings.Fields(Normal(s))
	var out []string
	all := append([]string(nil), words...)
	changed := false
	for i, w := range words {
		for _, v := range wordVariants(w) {
			one := append([]string(nil), words...)
			one[i] = v
			out = appendNew(out, strings.Join(one, " "))
			if all[i] == w {
				all[i], changed = v, true
			}
		}
	}
	if changed {
		out = appendNew(out, strings.Join(all, " "))
	}
	return out
}

// Variants returns every other spelling of the names (the names themselves
// excluded), in normal form: simplified and traditional forms, pinyin, and
// British and American spellings.
func Variants(names ...string) []string {
	have := map[string]bool{}
	for _, n := range names {
		have[Normal(n)] = true
	}
	var out []string
	add := func(vs ...string) {
		for _, v := range vs {
			if n := Normal(v); n != "" && !have[n] {
				have[n] = true
				out = append(out, n)
			}
		}
	}
	for _, n := range names {
		add(ChineseForms(n)...)
		add(Pinyin(n)...)
		add(English(n)...)
	}
	sort.Strings(out)
	return out
}

func appendNew(xs []string, vs ...string) []string {
	for _, v := range vs {
		dup := false
		for _, x := range xs {
			dup = dup || x == v
		}
		if !dup {
			xs = append(xs, v)
		}
	}
	return xs
}
