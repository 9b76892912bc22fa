package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Caps on an element list: more than any view draws legibly.
const (
	MaxElementNodes = 5000
	MaxElementEdges = 10000
)

// ElementList is an explicit export: exactly the nodes and edges a view
// draws, how it draws them, and what the file's header says. It is the
// JSON body of POST /export/{format} (docs/API.md, "Exports").
type ElementList struct {
	Nodes []ElementNode `json:"nodes"`
	Edges []ElementEdge `json:"edges"`
	Title string        `json:"title"`
	AsOf  string        `json:"asOf"`
	View  string        `json:"view"`
	// Entity and Mode name the file (FileName); they change nothing else.
	Entity string `json:"entity"`
	Mode   string `json:"mode"`
}

// ElementNode is one drawn node: an entity id and, optionally, its
// position (x and y together), colour and shape.
type ElementNode struct {
	ID    string   `json:"id"`
	X     *float64 `json:"x"`
	Y     *float64 `json:"y"`
	Color string   `json:"color"`
	Shape string   `json:"shape"`
}

// ElementEdge is one drawn edge: a relation id.
type ElementEdge struct {
	ID string `json:"id"`
}

var modeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// DecodeElementList reads and checks an element list. Every problem is a
// BAD_USER_INPUT error (LIMIT_EXCEEDED for too many elements) whose
// message names the field, never a Go type.
func DecodeElementList(body []byte) (*ElementList, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var l ElementList
	if err := dec.Decode(&l); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, domain.Errorf(domain.EBADINPUT, "the body holds more than one JSON value")
	}
	return &l, l.check()
}

// jsonError says what is wrong with a body in the client's terms.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return domain.Errorf(domain.EBADINPUT, "the body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the body"
		}
		return domain.Errorf(domain.EBADINPUT, "%s must be %s, not a JSON %s", field, jsonKind(typ.Type), typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Errorf(domain.EBADINPUT, "the body is empty or cut short: send a JSON object with nodes and edges")
	}
	if m, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return domain.Errorf(domain.EBADINPUT, "unknown field %s: an element list has nodes, edges, title, asOf, view, entity and mode; a node has id, x, y, color and shape; an edge has id", truncate(m, 60))
	}
	return domain.Errorf(domain.EBADINPUT, "the body is not an element list")
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Float64, reflect.Pointer:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list"
	case reflect.Struct:
		return "an object"
	}
	return "something else"
}

func (l *ElementList) check() error {
	switch {
	case len(l.Nodes) == 0:
		return domain.Errorf(domain.EBADINPUT, "nodes is empty: there is nothing to export")
	case len(l.Nodes) > MaxElementNodes:
		return domain.Errorf(domain.ELIMIT, "nodes may list at most %d entities, got %d", MaxElementNodes, len(l.Nodes))
	case len(l.Edges) > MaxElementEdges:
		return domain.Errorf(domain.ELIMIT, "edges may list at most %d relations, got %d", MaxElementEdges, len(l.Edges))
	}
	seen := make(map[string]bool, len(l.Nodes)+len(l.Edges))
	for i := range l.Nodes {
		n := &l.Nodes[i]
		where := fmt.Sprintf("nodes[%d]", i)
		if err := domain.CheckEntityID(n.ID); err != nil {
			return domain.Errorf(domain.EBADINPUT, "%s.id: %s", where, domain.ErrorMessage(err))
		}
		if seen[n.ID] {
			return domain.Errorf(domain.EBADINPUT, "%s: %s is listed twice", where, n.ID)
		}
		seen[n.ID] = true
		if (n.X == nil) != (n.Y == nil) {
			return domain.Errorf(domain.EBADINPUT, "%s: give both x and y, or neither", where)
		}
		if n.X != nil && (math.Abs(*n.X) > MaxCoordinate || math.Abs(*n.Y) > MaxCoordinate) {
			return domain.Errorf(domain.EBADINPUT, "%s: x and y must be within ±%g", where, MaxCoordinate)
		}
		if n.Color != "" {
			c, err := ParseColor(n.Color)
			if err != nil {
				return domain.Errorf(domain.EBADINPUT, "%s.color: %s", where, domain.ErrorMessage(err))
			}
			n.Color = c
		}
		if _, ok := shapes[n.Shape]; n.Shape != "" && !ok {
			return domain.Errorf(domain.EBADINPUT, "%s.shape: unknown shape %q (valid: %s)", where, truncate(n.Shape, 40), strings.Join(Shapes(), ", "))
		}
	}
	for i, e := range l.Edges {
		where := fmt.Sprintf("edges[%d]", i)
		if !domain.ValidRelationID(e.ID) {
			return domain.Errorf(domain.EBADINPUT, "%s.id: %q is not a relation id (rel:...)", where, truncate(e.ID, 80))
		}
		if seen[e.ID] {
			return domain.Errorf(domain.EBADINPUT, "%s: %s is listed twice", where, e.ID)
		}
		seen[e.ID] = true
	}
	if _, err := l.asOf(); err != nil {
		return err
	}
	if err := (&Options{Meta: Meta{Title: l.Title, View: l.View}}).check(); err != nil {
		return err
	}
	if l.Entity != "" {
		if err := domain.CheckEntityID(l.Entity); err != nil {
			return domain.Errorf(domain.EBADINPUT, "entity: %s", domain.ErrorMessage(err))
		}
	}
	if l.Mode != "" && !modeRE.MatchString(l.Mode) {
		return domain.Errorf(domain.EBADINPUT, "mode: %q is not a short name (lower-case letters, digits and '-', at most 40)", truncate(l.Mode, 60))
	}
	return nil
}

func (l *ElementList) asOf() (domain.PartialDate, error) {
	if l.AsOf == "" {
		return domain.PartialDate{}, nil
	}
	d, err := domain.ParsePartialDate(l.AsOf)
	if err != nil {
		return d, domain.Errorf(domain.EBADINPUT, "asOf: %v", err) // a plain error that quotes the input, truncated
	}
	return d, nil
}

// Options returns the header and drawing the list asks for.
func (l *ElementList) Options() *Options {
	asOf, _ := l.asOf()
	o := &Options{Meta: Meta{Title: l.Title, AsOf: asOf, View: l.View}, Styles: map[string]NodeStyle{}}
	for _, n := range l.Nodes {
		s := NodeStyle{Color: n.Color, Shape: n.Shape}
		if n.X != nil {
			s.Pos = &Point{X: *n.X, Y: *n.Y}
		}
		o.Styles[n.ID] = s
	}
	return o
}

// Describe returns the entity and mode for the file name, as Describe
// does for a query.
func (l *ElementList) Describe() (entity, mode string) {
	entity, mode = l.Entity, l.Mode
	if entity == "" {
		entity = "view"
	}
	if mode == "" {
		mode = "view"
	}
	return entity, mode
}

// IDs are the listed entity ids (nodes) and relation ids (edges), in order.
func (l *ElementList) IDs() (nodes, edges []string) {
	nodes = make([]string, len(l.Nodes))
	for i, n := range l.Nodes {
		nodes[i] = n.ID
	}
	edges = make([]string, len(l.Edges))
	for i, e := range l.Edges {
		edges[i] = e.ID
	}
	return nodes, edges
}
