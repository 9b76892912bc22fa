package neo4jstore

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// luceneWhitespace separates tokens in Lucene's classic query parser.
const luceneWhitespace = " \t\n\r\u3000"

// luceneToken is one token of a query as Lucene's classic parser reads it.
type luceneToken struct {
	kind   string // "(", ")", "AND", "OR", "term"
	text   string // a term's literal text, escapes removed
	prefix bool   // the term ends in an unescaped '*' (a prefix query)
}

// lexLucene reads q the way Lucene's classic query parser would, and fails
// on anything that is syntax other than parentheses, AND, OR and a trailing
// '*': NOT, &&, ||, +, -, !, fields (:), boosts (^), fuzziness (~), ranges,
// phrases, regular expressions, wildcards inside a term, a dangling '\'.
func lexLucene(q string) ([]luceneToken, error) {
	var toks []luceneToken
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		switch {
		case strings.ContainsRune(luceneWhitespace, r):
			i += size
			continue
		case r == '(' || r == ')':
			toks = append(toks, luceneToken{kind: string(r)})
			i += size
			continue
		}
		// A term: up to whitespace or an unescaped parenthesis.
		var b strings.Builder
		prefix := false
		for i < len(q) {
			r, size := utf8.DecodeRuneInString(q[i:])
			if strings.ContainsRune(luceneWhitespace, r) || r == '(' || r == ')' {
				break
			}
			if prefix {
				return nil, fmt.Errorf("text after an unescaped '*' at byte %d", i)
			}
			switch {
			case r == '\\':
				if i+size >= len(q) {
					return nil, fmt.Errorf("dangling backslash at the end")
				}
				r2, size2 := utf8.DecodeRuneInString(q[i+size:])
				b.WriteRune(r2)
				i += size + size2
				continue
			case r == '*':
				if b.Len() == 0 {
					return nil, fmt.Errorf("bare '*' at byte %d", i)
				}
				prefix = true
			case strings.ContainsRune(luceneSpecial, r):
				return nil, fmt.Errorf("unescaped %q at byte %d", r, i)
			default:
				b.WriteRune(r)
			}
			i += size
		}
		word := b.String()
		switch {
		case prefix:
			toks = append(toks, luceneToken{kind: "term", text: word, prefix: true})
		case word == "AND" || word == "OR":
			toks = append(toks, luceneToken{kind: word})
		case word == "NOT" || word == "TO":
			return nil, fmt.Errorf("operator %s", word)
		default:
			toks = append(toks, luceneToken{kind: "term", text: word})
		}
	}
	return toks, nil
}

// checkLuceneShape checks the tokens are "(t1 AND .. tn) OR (t1 AND .. tn*)"
// and returns t1..tn.
func checkLuceneShape(toks []luceneToken) ([]string, error) {
	group := func(toks []luceneToken, prefixLast bool) ([]string, []luceneToken, error) {
		if len(toks) == 0 || toks[0].kind != "(" {
			return nil, nil, fmt.Errorf("want '(' at %v", toks)
		}
		toks = toks[1:]
		var terms []string
		for {
			if len(toks) == 0 || toks[0].kind != "term" {
				return nil, nil, fmt.Errorf("want a term at %v", toks)
			}
			t := toks[0]
			toks = toks[1:]
			last := len(toks) > 0 && toks[0].kind == ")"
			if t.prefix != (prefixLast && last) {
				return nil, nil, fmt.Errorf("term %q: prefix %v where it should be %v", t.text, t.prefix, prefixLast && last)
			}
			terms = append(terms, t.text)
			if last {
				return terms, toks[1:], nil
			}
			if len(toks) == 0 || toks[0].kind != "AND" {
				return nil, nil, fmt.Errorf("want AND after %q, got %v", t.text, toks)
			}
			toks = toks[1:]
		}
	}
	all, rest, err := group(toks, false)
	if err != nil {
		return nil, err
	}
	if len(rest) == 0 || rest[0].kind != "OR" {
		return nil, fmt.Errorf("want OR between the groups, got %v", rest)
	}
	prefixed, rest, err := group(rest[1:], true)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("tokens after the query: %v", rest)
	}
	if !slices.Equal(all, prefixed) {
		return nil, fmt.Errorf("the groups differ: %q and %q", all, prefixed)
	}
	return all, nil
}

// wantTerms is what luceneQuery should search for: the lower-cased words
// of the text with a letter or a digit, at most maxSearchTerms of them. It
// splits on every Unicode space, a superset of Lucene's whitespace.
func wantTerms(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, unicode.IsSpace) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
			continue
		}
		// Invalid UTF-8 never reaches the store (SearchQuery.Validate);
		// escaping writes U+FFFD for it, as ranging over the string does.
		out = append(out, strings.ToValidUTF8(strings.ToLower(w), "\uFFFD"))
		if len(out) == maxSearchTerms {
			break
		}
	}
	return out
}

var luceneSeeds = []string{
	"Moyu", "moyu county", "墨玉縣", "和田 墨玉", "Xīnjiāng Shēngchǎn", "xpcc 14th division", "2010",
	"AND", "OR", "NOT", "and or not", "a AND b", "a OR b", "NOT a", "a && b || c", "a&&b", "a||b", "&", "|",
	"+a -b", "!a", "(a)", "((((a", "a))))", "{a TO b}", "[a TO b]", "a^2", "a~", "a~0.5", `"a b"`, `"unterminated`,
	"a*", "*a", "a?b", "?", "*", "**", "a:b", "name:moyu", "id:county\\:moyu", "/a.*b/", "a/b", `\`, `a\`, `\\`, `\*`,
	"a\\ b", "-", "--", "---", "a-b", "co-operation", "TO", "a TO b", "_", "a_b", "a.b", "a,b", "a;b", "#a",
	"K", "\u212a", "ǅ", "İstanbul", "ΣΑΣ", "ß", "ﬁ", "Ⅻ", "①", "٣", "a\u0301", "\u0301", "\u200b", "\u200da",
	"a\u3000b", "a\u00a0b", "a\u2028b", "a\u0085b", "a\tb\nc\rd", "a\x00b", "\x00", "\xff", "a\xffb", "\xed\xa0\x80",
	"') MATCH (n) DETACH DELETE n //", "$param", "`n`", "'; CALL db.index.fulltext.drop('x') //",
	strings.Repeat("a ", 100), strings.Repeat("墨", 200), strings.Repeat("a AND ", 30), strings.Repeat(`\+-&|!(){}[]^"~*?:/ `, 10),
	strings.Repeat("x", 1<<16),
}

// FuzzLuceneQuery checks that luceneQuery turns any text into a query of
// the one shape it means to build, whose terms are exactly the user's
// words taken literally: no user character is ever syntax.
func FuzzLuceneQuery(f *testing.F) {
	for _, s := range luceneSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		q := luceneQuery(text)
		want := wantTerms(text)
		if len(want) == 0 {
			if q != "" {
				t.Fatalf("luceneQuery(%q) = %q, want \"\" (no word to search)", text, q)
			}
			return
		}
		toks, err := lexLucene(q)
		if err != nil {
			t.Fatalf("luceneQuery(%q) = %q: %v", text, q, err)
		}
		got, err := checkLuceneShape(toks)
		if err != nil {
			t.Fatalf("luceneQuery(%q) = %q: %v", text, q, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("luceneQuery(%q) searches %q, want %q", text, got, want)
		}
		if len(got) > maxSearchTerms {
			t.Fatalf("luceneQuery(%q) has %d terms, at most %d", text, len(got), maxSearchTerms)
		}
	})
}

// FuzzEscapeLucene checks that an escaped string reads back as one literal
// term equal to the input.
func FuzzEscapeLucene(f *testing.F) {
	for _, s := range luceneSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" || !utf8.ValidString(s) || strings.ContainsAny(s, luceneWhitespace) {
			return // whitespace is split before escaping
		}
		if s == "AND" || s == "OR" || s == "NOT" || s == "TO" {
			return // operators are words: the caller lower-cases words first
		}
		e := escapeLucene(s)
		for i, r := range e {
			if strings.ContainsRune(luceneSpecial, r) && r != '\\' && (i == 0 || e[i-1] != '\\') {
				t.Fatalf("escapeLucene(%q) = %q: %q at byte %d is not escaped", s, e, r, i)
			}
		}
		// Parentheses are tokens of their own in lexLucene; the escaped
		// ones must stay inside the term.
		toks, err := lexLucene(e)
		if err != nil {
			t.Fatalf("escapeLucene(%q) = %q: %v", s, e, err)
		}
		if len(toks) != 1 || toks[0].kind != "term" || toks[0].prefix || toks[0].text != s {
			t.Fatalf("escapeLucene(%q) = %q reads back as %+v", s, e, toks)
		}
	})
}
