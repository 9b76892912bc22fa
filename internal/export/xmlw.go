package export

import (
	"bufio"
	"io"
	"unicode/utf8"
	"unsafe"
)

// xmlWriter writes XML by hand: the documents are flat and regular, and
// writing them directly streams without building a tree, keeps attribute
// order fixed (deterministic output) and costs no reflection. The first
// write error sticks and is returned by flush.
type xmlWriter struct {
	w   *bufio.Writer
	err error
}

func newXMLWriter(w io.Writer) *xmlWriter {
	return &xmlWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

// raw writes s as it is: markup the caller wrote, never data.
func (x *xmlWriter) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

// attr writes ` name="value"` with value escaped.
func (x *xmlWriter) attr(name, value string) {
	x.raw(" ")
	x.raw(name)
	x.raw(`="`)
	x.attrValue(value)
	x.raw(`"`)
}

// attrValue writes s escaped for a double-quoted attribute value.
func (x *xmlWriter) attrValue(s string) {
	if x.err == nil {
		x.err = escapeXML(x.w, s, true)
	}
}

// content writes s escaped for element content.
func (x *xmlWriter) content(s string) {
	if x.err == nil {
		x.err = escapeXML(x.w, s, false)
	}
}

// contentBytes is content for a []byte (JSON from jsonText). It reads b
// through a string view instead of copying it: b is not modified meanwhile.
func (x *xmlWriter) contentBytes(b []byte) {
	if x.err == nil && len(b) > 0 {
		x.err = escapeXML(x.w, unsafe.String(unsafe.SliceData(b), len(b)), false)
	}
}

func (x *xmlWriter) flush() error {
	if x.err != nil {
		return x.err
	}
	return x.w.Flush()
}

const replacementChar = "\uFFFD"

// escapeXML writes s so that an XML 1.0 parser reads back the same text.
// "&" and "<" always become entities, and ">" too (it may not follow "]]").
// In an attribute value (attr), '"' becomes an entity and tab and newline
// become character references, since attribute normalisation would turn
// them into spaces; in element content they stay as they are, which keeps
// JSON and multi-line text readable. A carriage return is always a
// reference: parsers turn a literal one into a newline. Characters XML 1.0
// cannot carry at all, even as references (C0 controls, U+FFFE, U+FFFF),
// and bytes that are not UTF-8 become U+FFFD, so the document stays
// well-formed and the reader sees that something was there.
func escapeXML(w *bufio.Writer, s string, attr bool) error {
	last := 0 // start of the run of bytes not yet written
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		var esc string
		switch {
		case r == '&':
			esc = "&amp;"
		case r == '<':
			esc = "&lt;"
		case r == '>':
			esc = "&gt;"
		case r == '"' && attr:
			esc = "&quot;"
		case r == '\t' && attr:
			esc = "&#x9;"
		case r == '\n' && attr:
			esc = "&#xA;"
		case r == '\r':
			esc = "&#xD;"
		case r == utf8.RuneError && size == 1, !isXMLChar(r):
			esc = replacementChar
		default:
			i += size
			continue
		}
		if _, err := w.WriteString(s[last:i]); err != nil {
			return err
		}
		if _, err := w.WriteString(esc); err != nil {
			return err
		}
		i += size
		last = i
	}
	_, err := w.WriteString(s[last:])
	return err
}

// isXMLChar reports whether r is in the XML 1.0 Char production.
func isXMLChar(r rune) bool {
	switch {
	case r == 0x9, r == 0xA, r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}
