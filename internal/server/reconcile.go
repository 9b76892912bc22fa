package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// InteropConfig configures the endpoints that speak other tools' protocols:
// /reconcile (OpenRefine) and /supplier-check.
type InteropConfig struct {
	// PublicURL is the server's base URL as clients reach it
	// ("https://aidtrace.example.org"), used in the links the reconciliation
	// manifest and the supplier check give. Empty: each request's own
	// scheme and Host.
	PublicURL string
}

// ReconcileHandler serves the W3C Entity Reconciliation API, version 0.2,
// as OpenRefine uses it, at /reconcile and below:
//
//	GET  /reconcile                      the service manifest
//	GET|POST /reconcile?queries={...}    a batch of reconciliation queries
//	GET|POST /reconcile?extend={...}     data extension
//	GET  /reconcile/suggest/entity?prefix=&cursor=   (also /type, /property)
//	GET  /reconcile/properties?type=&limit=          properties to extend with
//	GET  /reconcile/preview?id=          an HTML preview of an entity
//	GET  /reconcile/kinds                the kinds (the schema space)
//
// It only reads. Mount it with the API's guards (Server.HandleAPI).
func ReconcileHandler(svc domain.ReadService, cfg InteropConfig, log *slog.Logger) http.Handler {
	h := &reconciler{svc: svc, m: matcher{svc: svc}, cfg: cfg, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("/reconcile", h.root)
	mux.HandleFunc("/reconcile/suggest/entity", h.suggestEntity)
	mux.HandleFunc("/reconcile/suggest/type", h.suggestType)
	mux.HandleFunc("/reconcile/suggest/property", h.suggestProperty)
	mux.HandleFunc("/reconcile/properties", h.proposeProperties)
	mux.HandleFunc("/reconcile/preview", h.preview)
	mux.HandleFunc("/reconcile/kinds", h.kinds)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, HEAD, POST")
			writeStatus(w, http.StatusMethodNotAllowed, domain.Errorf(domain.EBADINPUT, "use GET or POST"))
			return
		}
		if _, pattern := mux.Handler(r); pattern == "" {
			writeError(w, domain.Errorf(domain.ENOTFOUND, "no such reconciliation endpoint: see GET /reconcile"))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

type reconciler struct {
	svc domain.ReadService
	m   matcher
	cfg InteropConfig
	log *slog.Logger
}

// fail answers with err, logging what the client cannot be shown.
func (h *reconciler) fail(w http.ResponseWriter, r *http.Request, err error) {
	failWith(h.log, "reconcile", w, r, err)
}

func failWith(log *slog.Logger, what string, w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeStatus(w, http.StatusRequestEntityTooLarge, domain.Errorf(domain.ELIMIT, "the request body is larger than %d bytes", tooBig.Limit))
		return
	}
	if code := domain.ErrorCode(err); code == domain.EINTERNAL || code == domain.EUNAVAILABLE {
		// The path only: queries and uploads are the user's, not ours to keep.
		log.ErrorContext(r.Context(), what, "path", r.URL.Path, "err", err)
	}
	var big *tooLargeError
	if errors.As(err, &big) {
		writeStatus(w, http.StatusRequestEntityTooLarge, big.err)
		return
	}
	writeError(w, err)
}

// tooLargeError is a batch too large for one request: 413, as the
// reconciliation specification suggests for batches above batchSize.
type tooLargeError struct{ err *domain.Error }

func (e *tooLargeError) Error() string { return e.err.Error() }
func (e *tooLargeError) Unwrap() error { return e.err }

func tooLarge(format string, args ...any) error {
	return &tooLargeError{domain.Errorf(domain.ELIMIT, format, args...)}
}

// writeStatus writes a coded error with a given status.
func writeStatus(w http.ResponseWriter, status int, err *domain.Error) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{
		"message": boundMessage(err.Message), "extensions": map[string]string{"code": err.Code},
	}}})
}

// hostRE is what a Host header may hold to be echoed into links.
var hostRE = regexp.MustCompile(`^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$`)

// baseURL is the server's base URL for links: the configured one, or the
// request's scheme and host.
func baseURL(cfg InteropConfig, r *http.Request) string {
	if cfg.PublicURL != "" {
		return strings.TrimRight(cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if !hostRE.MatchString(host) {
		host = "localhost"
	}
	return scheme + "://" + host
}

// viewURL is the explorer's view of an entity.
func viewURL(base, id string) string { return base + "/?id=" + id }

// root serves the manifest, a query batch or a data extension.
func (h *reconciler) root(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, badForm(err))
		return
	}
	queries, extend := r.Form.Get("queries"), r.Form.Get("extend")
	switch {
	case queries != "" && extend != "":
		h.fail(w, r, domain.Errorf(domain.EBADINPUT, "send either queries or extend, not both"))
	case queries != "":
		h.reconcile(w, r, queries)
	case extend != "":
		h.extend(w, r, extend)
	default:
		writeJSON(w, http.StatusOK, manifest(baseURL(h.cfg, r)))
	}
}

func badForm(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	return domain.Errorf(domain.EBADINPUT, "the form cannot be read: send application/x-www-form-urlencoded")
}

// Reconciliation types and properties.

type reconType struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// kindName is a kind's name for people: "labour_dispatch_firm" ->
// "Labour dispatch firm", "xpcc_division" -> "XPCC division".
func kindName(k domain.Kind) string {
	words := strings.Split(string(k), "_")
	for i, w := range words {
		switch w {
		case "xpcc", "hq":
			words[i] = strings.ToUpper(w)
		default:
			if i == 0 {
				words[i] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
	}
	return strings.Join(words, " ")
}

func kindTypes() []reconType {
	var out []reconType
	for _, k := range domain.Kinds() {
		out = append(out, reconType{ID: string(k.Kind), Name: kindName(k.Kind)})
	}
	return out
}

// reconProperty is a property of our entities, for reconciliation queries
// (Match), data extension (Extend) or both.
type reconProperty struct {
	ID, Name, Description string
	Match, Extend         bool
	Entity                bool // values are entities
}

var reconProperties = []reconProperty{
	{ID: "city", Name: "City", Description: "A city the entity is in: tells namesakes apart.", Match: true},
	{ID: "province", Name: "Province", Description: "A province or region the entity is in: tells namesakes apart.", Match: true},
	{ID: "location", Name: "Location", Description: "Any place the entity is in (county, city, prefecture, province).", Match: true},
	{ID: "country", Name: "Country", Description: "The country the entity is in: China, or another.", Match: true},
	{ID: "kind", Name: "Kind", Description: "The entity's kind (as a query property: only entities of this kind).", Match: true, Extend: true},
	{ID: "nameZh", Name: "Chinese name", Description: "The entity's name in Chinese characters.", Extend: true},
	{ID: "aliases", Name: "Other names", Description: "Other names and spellings of the entity.", Extend: true},
	{ID: "description", Name: "Description", Description: "What the entity is, in a sentence.", Extend: true},
	{ID: "located", Name: "Located in", Description: "The places the entity is located in or part of.", Extend: true, Entity: true},
	{ID: "pairedProvince", Name: "Paired province (aiding party)", Description: "The aiding parties of the pairing programme that the entity's chains of responsibility reach, strongest first.", Extend: true, Entity: true},
	{ID: "pairedRecipients", Name: "Paired recipients", Description: "For an aiding party: the places it is paired with.", Extend: true, Entity: true},
	{ID: "designations", Name: "Designation lists", Description: "The designation lists (e.g. the UFLPA Entity List) that name the entity itself.", Extend: true, Entity: true},
	{ID: "exposure", Name: "Exposure", Description: "How firmly the entity is linked to the pairing programme or a designation list: the strength of its strongest link (STRONG, MODERATE, WEAK), empty when none is known.", Extend: true},
	{ID: "topBody", Name: "Top body of its chains", Description: "The bodies at the top of the entity's complete chains of responsibility.", Extend: true, Entity: true},
}

func lookupProperty(id string) (reconProperty, bool) {
	for _, p := range reconProperties {
		if p.ID == id {
			return p, true
		}
	}
	return reconProperty{}, false
}

func propertyIDs(match bool) string {
	var ids []string
	for _, p := range reconProperties {
		if (match && p.Match) || (!match && p.Extend) {
			ids = append(ids, p.ID)
		}
	}
	return strings.Join(ids, ", ")
}

// manifest is the service manifest (specification §3.1).
func manifest(base string) map[string]any {
	svc := func(path string) map[string]string {
		return map[string]string{"service_url": base, "service_path": path}
	}
	return map[string]any{
		"versions":        []string{"0.2"},
		"name":            "aidtrace: the governance chain behind Xinjiang Aid (对口援疆)",
		"identifierSpace": base + "/?id=",
		"schemaSpace":     base + "/reconcile/kinds",
		"defaultTypes":    kindTypes(),
		"view":            map[string]string{"url": base + "/?id={{id}}"},
		"preview":         map[string]any{"url": base + "/reconcile/preview?id={{id}}", "width": previewWidth, "height": previewHeight},
		"suggest": map[string]any{
			"entity":   svc("/reconcile/suggest/entity"),
			"type":     svc("/reconcile/suggest/type"),
			"property": svc("/reconcile/suggest/property"),
		},
		"extend": map[string]any{
			"propose_properties": svc("/reconcile/properties"),
			"property_settings": []map[string]any{{
				"name": "limit", "label": "Limit", "type": "number", "default": 0,
				"help_text": "Most values per cell (0: all)",
			}},
		},
		"batchSize": MaxReconcileBatch,
	}
}

// Reconciliation queries.

// rawQuery is one reconciliation query as sent (specification §4.1).
type rawQuery struct {
	Query      string          `json:"query"`
	Type       json.RawMessage `json:"type"`
	Limit      *float64        `json:"limit"`
	Properties []rawProperty   `json:"properties"`
	TypeStrict string          `json:"type_strict"`
}

type rawProperty struct {
	PID string          `json:"pid"`
	V   json.RawMessage `json:"v"`
}

// reconCandidate is one reconciliation candidate (specification §4.2).
type reconCandidate struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Type        []reconType `json:"type"`
	Score       float64     `json:"score"`
	Match       bool        `json:"match"`
	Features    []feature   `json:"features,omitempty"`
}

type reconResult struct {
	Result []reconCandidate `json:"result"`
}

// defaultReconcileLimit is the candidates a query gets without a limit.
const defaultReconcileLimit = 10

func (h *reconciler) reconcile(w http.ResponseWriter, r *http.Request, raw string) {
	keys, qs, err := parseQueries(raw)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cands, err := h.m.match(r.Context(), qs)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make(map[string]reconResult, len(keys))
	for i, k := range keys {
		res := reconResult{Result: []reconCandidate{}}
		for _, c := range cands[i] {
			res.Result = append(res.Result, reconCandidate{
				ID: c.Entity.ID, Name: c.Entity.Name, Description: describe(&c.Entity),
				Type:  []reconType{{ID: string(c.Entity.Kind), Name: kindName(c.Entity.Kind)}},
				Score: c.Score, Match: c.Match, Features: c.Features,
			})
		}
		out[k] = res
	}
	writeJSON(w, http.StatusOK, out)
}

// parseQueries reads a query batch: its keys (sorted) and queries.
func parseQueries(raw string) ([]string, []matchQuery, error) {
	var batch map[string]rawQuery
	if err := json.Unmarshal([]byte(raw), &batch); err != nil {
		return nil, nil, domain.Errorf(domain.EBADINPUT, "queries: not a JSON object of reconciliation queries: %s", jsonProblem(err))
	}
	if len(batch) > MaxReconcileBatch {
		return nil, nil, tooLarge("queries: %d queries in one batch; at most %d (the manifest's batchSize)", len(batch), MaxReconcileBatch)
	}
	keys := make([]string, 0, len(batch))
	for k := range batch {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	qs := make([]matchQuery, len(keys))
	for i, k := range keys {
		q, err := batch[k].toMatch()
		if err != nil {
			return nil, nil, domain.Errorf(domain.EBADINPUT, "queries[%q]: %s", truncateText(k, 40), domain.ErrorMessage(err))
		}
		qs[i] = q
	}
	return keys, qs, nil
}

func (rq rawQuery) toMatch() (matchQuery, error) {
	q := matchQuery{Text: rq.Query, Limit: defaultReconcileLimit}
	types, err := stringOrList(rq.Type)
	if err != nil {
		return q, domain.Errorf(domain.EBADINPUT, "type: a type id or a list of them")
	}
	for _, t := range types {
		if err := addKind(&q, t); err != nil {
			return q, err
		}
	}
	if rq.Limit != nil {
		n := int(*rq.Limit)
		if float64(n) != *rq.Limit || n < 1 {
			return q, domain.Errorf(domain.EBADINPUT, "limit: a positive integer")
		}
		q.Limit = min(n, MaxReconcileLimit)
	}
	switch rq.TypeStrict {
	case "", "any", "should", "all":
	default:
		return q, domain.Errorf(domain.EBADINPUT, "type_strict: any, should or all")
	}
	for _, p := range rq.Properties {
		prop, ok := lookupProperty(p.PID)
		if !ok || !prop.Match {
			return q, domain.Errorf(domain.EBADINPUT, "properties: unknown pid %q; use %s", truncateText(p.PID, 40), propertyIDs(true))
		}
		for _, v := range propertyValues(p.V) {
			if p.PID == "kind" {
				if err := addKind(&q, v); err != nil {
					return q, err
				}
				continue
			}
			q.Places = append(q.Places, placeValue{PID: p.PID, Value: v})
		}
	}
	if strings.TrimSpace(q.Text) == "" && len(rq.Properties) == 0 {
		return q, domain.Errorf(domain.EBADINPUT, "give a query or properties")
	}
	return q, nil
}

func addKind(q *matchQuery, t string) error {
	k := domain.Kind(t)
	if !k.Valid() {
		return domain.Errorf(domain.EBADINPUT, "unknown type %q: the types are our kinds (GET /reconcile/kinds)", truncateText(t, 40))
	}
	for _, have := range q.Kinds {
		if have == k {
			return nil
		}
	}
	q.Kinds = append(q.Kinds, k)
	return nil
}

// stringOrList reads a JSON string or list of strings (absent: none).
func stringOrList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		if one == "" {
			return nil, nil
		}
		return []string{one}, nil
	}
	var many []string
	err := json.Unmarshal(raw, &many)
	return many, err
}

// propertyValues reads a property value or a list of them: strings,
// numbers and booleans as text, entities ({id, name}) by name, else id.
func propertyValues(raw json.RawMessage) []string {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		list = []json.RawMessage{raw}
	}
	var out []string
	for _, v := range list {
		var s string
		var e struct{ ID, Name string }
		var f float64
		var b bool
		switch {
		case json.Unmarshal(v, &s) == nil:
		case json.Unmarshal(v, &e) == nil:
			s = e.Name
			if s == "" {
				s = e.ID
			}
		case json.Unmarshal(v, &f) == nil:
			s = strconv.FormatFloat(f, 'f', -1, 64)
		case json.Unmarshal(v, &b) == nil:
			s = strconv.FormatBool(b)
		}
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("%s must not be a %s", typ.Field, typ.Value)
		}
		return fmt.Sprintf("a %s where an object was expected", typ.Value)
	}
	return "cannot be read"
}

func truncateText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// describe is a candidate's description: its Chinese name and what it is.
func describe(e *domain.Entity) string {
	d := truncateText(e.Description, 200)
	if e.NameZh != "" {
		if d == "" {
			return e.NameZh
		}
		return e.NameZh + " — " + d
	}
	return d
}

// Suggest services (specification §6).

type suggestItem struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Notable     []reconType `json:"notable,omitempty"`
}

// suggestPage is how many suggestions one answer holds.
const suggestPage = 10

func suggestArgs(r *http.Request) (prefix string, cursor int, err error) {
	prefix = strings.TrimSpace(r.URL.Query().Get("prefix"))
	if s := r.URL.Query().Get("cursor"); s != "" {
		cursor, err = strconv.Atoi(s)
		if err != nil || cursor < 0 {
			return "", 0, domain.Errorf(domain.EBADINPUT, "cursor: a number of suggestions to skip")
		}
	}
	return prefix, cursor, nil
}

func (h *reconciler) suggestEntity(w http.ResponseWriter, r *http.Request) {
	prefix, cursor, err := suggestArgs(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := []suggestItem{}
	if prefix == "" || cursor >= domain.MaxSearchHits {
		writeJSON(w, http.StatusOK, map[string]any{"result": out})
		return
	}
	var es []domain.Entity
	seen := map[string]bool{}
	if domain.ValidEntityID(prefix) {
		got, err := h.svc.EntitiesByID(r.Context(), []string{prefix})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if e := got[prefix]; e != nil && e.Retraction == nil {
			es, seen[e.ID] = append(es, *e), true
		}
	}
	hits, err := h.svc.Search(r.Context(), domain.SearchQuery{Text: truncateText(prefix, domain.MaxSearchTextLen-1), First: min(cursor+suggestPage, domain.MaxSearchHits)})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, hit := range hits {
		if !seen[hit.Entity.ID] {
			es, seen[hit.Entity.ID] = append(es, hit.Entity), true
		}
	}
	for i := cursor; i < len(es) && len(out) < suggestPage; i++ {
		e := &es[i]
		out = append(out, suggestItem{ID: e.ID, Name: e.Name, Description: describe(e),
			Notable: []reconType{{ID: string(e.Kind), Name: kindName(e.Kind)}}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": out})
}

// prefixOf reports whether a word of name (or the id) starts with prefix.
func prefixOf(prefix, id, name string) bool {
	p := strings.ToLower(prefix)
	if p == "" || strings.HasPrefix(strings.ToLower(id), p) || strings.HasPrefix(strings.ToLower(name), p) {
		return true
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == ' ' || r == '(' || r == '-' }) {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

func page(items []suggestItem, cursor int) []suggestItem {
	if cursor >= len(items) {
		return []suggestItem{}
	}
	items = items[cursor:]
	if len(items) > suggestPage {
		items = items[:suggestPage]
	}
	return items
}

func (h *reconciler) suggestType(w http.ResponseWriter, r *http.Request) {
	prefix, cursor, err := suggestArgs(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var items []suggestItem
	for _, k := range domain.Kinds() {
		if prefixOf(prefix, string(k.Kind), kindName(k.Kind)) {
			items = append(items, suggestItem{ID: string(k.Kind), Name: kindName(k.Kind), Description: k.Description})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": page(items, cursor)})
}

func (h *reconciler) suggestProperty(w http.ResponseWriter, r *http.Request) {
	prefix, cursor, err := suggestArgs(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var items []suggestItem
	for _, p := range reconProperties {
		if prefixOf(prefix, p.ID, p.Name) {
			items = append(items, suggestItem{ID: p.ID, Name: p.Name, Description: p.Description})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": page(items, cursor)})
}

// kinds serves the schema space: every kind with what it means.
func (h *reconciler) kinds(w http.ResponseWriter, r *http.Request) {
	var items []suggestItem
	for _, k := range domain.Kinds() {
		items = append(items, suggestItem{ID: string(k.Kind), Name: kindName(k.Kind), Description: k.Description})
	}
	writeJSON(w, http.StatusOK, map[string]any{"kinds": items})
}

// Preview service (specification §5).

const previewWidth, previewHeight = 420, 180

var previewPage = template.Must(template.New("preview").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Name}}</title>
<style>body{font:13px/1.4 system-ui,sans-serif;margin:6px;color:#222}h1{font-size:15px;margin:0 0 2px}
.k{color:#666;font-size:12px}p{margin:4px 0}a{color:#0645ad}</style></head>
<body><h1>{{.Name}}{{if .NameZh}} <span lang="zh">{{.NameZh}}</span>{{end}}</h1>
<div class="k">{{.Kind}} · {{.ID}}</div>
{{if .Aliases}}<p class="k">Also: {{.Aliases}}</p>{{end}}
{{if .Description}}<p>{{.Description}}</p>{{end}}
<p><a href="{{.View}}" target="_blank" rel="noopener">Open in the aidtrace explorer</a></p>
</body></html>`))

func (h *reconciler) preview(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if err := domain.CheckEntityID(id); err != nil {
		h.fail(w, r, err)
		return
	}
	got, err := h.svc.EntitiesByID(r.Context(), []string{id})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e := got[id]
	if e == nil || e.Retraction != nil {
		h.fail(w, r, domain.Errorf(domain.ENOTFOUND, "no entity %q", id))
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	// Framed by the reconciling tool, which may be anywhere; nothing runs.
	hdr.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *; base-uri 'none'; form-action 'none'")
	hdr.Set("X-Content-Type-Options", "nosniff")
	_ = previewPage.Execute(w, map[string]string{
		"ID": e.ID, "Name": e.Name, "NameZh": e.NameZh, "Kind": kindName(e.Kind),
		"Aliases": strings.Join(e.Aliases, ", "), "Description": truncateText(e.Description, 400),
		"View": viewURL(baseURL(h.cfg, r), e.ID),
	})
}

// Data extension (specification §7).

func (h *reconciler) proposeProperties(w http.ResponseWriter, r *http.Request) {
	t := r.URL.Query().Get("type")
	if t != "" && !domain.Kind(t).Valid() {
		h.fail(w, r, domain.Errorf(domain.EBADINPUT, "unknown type %q: the types are our kinds (GET /reconcile/kinds)", truncateText(t, 40)))
		return
	}
	out := map[string]any{"type": t}
	props := []reconType{}
	for _, p := range reconProperties {
		if p.Extend {
			props = append(props, reconType{ID: p.ID, Name: p.Name})
		}
	}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			h.fail(w, r, domain.Errorf(domain.EBADINPUT, "limit: a positive integer"))
			return
		}
		out["limit"] = n
		if n < len(props) {
			props = props[:n]
		}
	}
	out["properties"] = props
	writeJSON(w, http.StatusOK, out)
}

type extendQuery struct {
	IDs        []string `json:"ids"`
	Properties []struct {
		ID       string         `json:"id"`
		Settings map[string]any `json:"settings"`
	} `json:"properties"`
}

// extendCell is one value of a data extension row.
type extendCell map[string]any

func (h *reconciler) extend(w http.ResponseWriter, r *http.Request, raw string) {
	var q extendQuery
	if err := json.Unmarshal([]byte(raw), &q); err != nil {
		h.fail(w, r, domain.Errorf(domain.EBADINPUT, "extend: not a data extension query: %s", jsonProblem(err)))
		return
	}
	if len(q.IDs) > MaxReconcileBatch {
		h.fail(w, r, tooLarge("extend: %d ids in one query; at most %d", len(q.IDs), MaxReconcileBatch))
		return
	}
	if len(q.Properties) == 0 {
		h.fail(w, r, domain.Errorf(domain.EBADINPUT, "extend: give the properties to fetch"))
		return
	}
	var props []reconProperty
	limits := map[string]int{}
	for _, p := range q.Properties {
		prop, ok := lookupProperty(p.ID)
		if !ok || !prop.Extend {
			h.fail(w, r, domain.Errorf(domain.EBADINPUT, "extend: unknown property %q; use %s", truncateText(p.ID, 40), propertyIDs(false)))
			return
		}
		if v, ok := p.Settings["limit"]; ok {
			n, err := settingInt(v)
			if err != nil {
				h.fail(w, r, domain.Errorf(domain.EBADINPUT, "extend: %s: limit: a number, 0 for all", prop.ID))
				return
			}
			limits[prop.ID] = n
		}
		props = append(props, prop)
	}
	rows, err := h.extendRows(r.Context(), q.IDs, props)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, row := range rows {
		for pid, n := range limits {
			if n > 0 && len(row[pid]) > n {
				row[pid] = row[pid][:n]
			}
		}
	}
	meta := make([]map[string]any, 0, len(props))
	for _, p := range props {
		meta = append(meta, map[string]any{"id": p.ID, "name": p.Name})
	}
	writeJSON(w, http.StatusOK, map[string]any{"meta": meta, "rows": rows})
}

func settingInt(v any) (int, error) {
	switch x := v.(type) {
	case float64:
		if x >= 0 && x == float64(int(x)) {
			return int(x), nil
		}
	case string:
		if x == "" {
			return 0, nil
		}
		if n, err := strconv.Atoi(x); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, errors.New("not a count")
}

// extendRows fetches each property for each id: a row for every id asked
// for, empty for ids we do not know.
func (h *reconciler) extendRows(ctx context.Context, ids []string, props []reconProperty) (map[string]map[string][]extendCell, error) {
	want := map[string]bool{}
	for _, p := range props {
		want[p.ID] = true
	}
	rows := map[string]map[string][]extendCell{}
	var valid []string
	for _, id := range ids {
		rows[id] = map[string][]extendCell{}
		for _, p := range props {
			rows[id][p.ID] = []extendCell{}
		}
		if domain.ValidEntityID(id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return rows, nil
	}
	ents, err := h.svc.EntitiesByID(ctx, valid)
	if err != nil {
		return nil, err
	}
	var known []string
	for _, id := range valid {
		if e := ents[id]; e != nil && e.Retraction == nil {
			known = append(known, id)
		}
	}
	refs := map[string][]string{} // "id\x00pid" -> entity ids, in order
	ref := func(id, pid string, to ...string) {
		k := id + "\x00" + pid
		for _, t := range to {
			if !containsStr(refs[k], t) {
				refs[k] = append(refs[k], t)
			}
		}
	}
	for _, id := range known {
		e := ents[id]
		row := rows[id]
		if want["kind"] {
			row["kind"] = []extendCell{{"str": string(e.Kind)}}
		}
		if want["nameZh"] && e.NameZh != "" {
			row["nameZh"] = []extendCell{{"str": e.NameZh}}
		}
		if want["aliases"] {
			for _, a := range e.Aliases {
				row["aliases"] = append(row["aliases"], extendCell{"str": a})
			}
		}
		if want["description"] && e.Description != "" {
			row["description"] = []extendCell{{"str": e.Description}}
		}
	}
	if len(known) == 0 {
		return rows, nil
	}
	if want["located"] {
		ps, err := h.m.places(ctx, known)
		if err != nil {
			return nil, err
		}
		for _, id := range known {
			for _, p := range ps[id] {
				ref(id, "located", p.ID)
			}
		}
	}
	relEnds := func(pid string, dir domain.Direction, typ string) error {
		rels, err := h.svc.Relations(ctx, domain.RelationQuery{IDs: known, Direction: dir, Types: []string{typ}})
		if err != nil {
			return err
		}
		for _, rel := range rels {
			if dir == domain.Outgoing {
				ref(rel.From, pid, rel.To)
			} else {
				ref(rel.To, pid, rel.From)
			}
		}
		return nil
	}
	if want["pairedRecipients"] {
		if err := relEnds("pairedRecipients", domain.Outgoing, "PAIRED_WITH"); err != nil {
			return nil, err
		}
	}
	if want["designations"] {
		if err := relEnds("designations", domain.Incoming, "DESIGNATED"); err != nil {
			return nil, err
		}
	}
	if want["pairedProvince"] || want["exposure"] {
		exps := make([]*domain.Exposure, len(known))
		err := parallel(ctx, len(known), func(ctx context.Context, i int) error {
			x, err := h.svc.Exposure(ctx, domain.ExposureQuery{ID: known[i], First: domain.MaxExposureLinks})
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				return nil
			}
			exps[i] = x
			return err
		})
		if err != nil {
			return nil, err
		}
		for i, x := range exps {
			if x == nil {
				continue
			}
			for _, l := range x.Links {
				if l.Reason == domain.ExposureAidingParty {
					ref(known[i], "pairedProvince", l.Target)
				}
			}
			if want["exposure"] && len(x.Links) > 0 {
				rows[known[i]]["exposure"] = []extendCell{{"str": x.Links[0].Strength.String()}}
			}
		}
	}
	if want["topBody"] {
		tops := make([][]string, len(known))
		err := parallel(ctx, len(known), func(ctx context.Context, i int) error {
			res, err := h.svc.Chains(ctx, domain.ChainQuery{ID: known[i], Up: true, MaxDepth: domain.ChainDepth.Default, First: domain.ChainsFirst.Max})
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				return nil
			}
			if err != nil {
				return err
			}
			for _, c := range res.Chains {
				if c.Complete && !containsStr(tops[i], c.End) {
					tops[i] = append(tops[i], c.End)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for i, t := range tops {
			ref(known[i], "topBody", t...)
		}
	}
	if len(refs) == 0 {
		return rows, nil
	}
	var rids []string
	for _, to := range refs {
		for _, t := range to {
			if !containsStr(rids, t) {
				rids = append(rids, t)
			}
		}
	}
	names, err := h.svc.EntitiesByID(ctx, rids)
	if err != nil {
		return nil, err
	}
	for k, to := range refs {
		id, pid, _ := strings.Cut(k, "\x00")
		if !want[pid] {
			continue
		}
		for _, t := range to {
			name := t
			if e := names[t]; e != nil {
				name = e.Name
			}
			rows[id][pid] = append(rows[id][pid], extendCell{"id": t, "name": name})
		}
	}
	return rows, nil
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
