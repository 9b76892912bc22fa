package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Limits of one supplier-list check. A check costs a search per distinct
// name and an exposure query per distinct entity found, so it is bounded
// in rows as well as bytes.
const (
	MaxSupplierRows  = 500
	MaxSupplierBytes = 512 << 10
	// supplierCandidates is how many candidates a row's JSON lists.
	supplierCandidates = 3
	// supplierLinks is how many exposure links a row's JSON lists.
	supplierLinks = 20
)

// SupplierCheckHandler serves POST /supplier-check: a CSV of company names
// (a multipart upload, field "file", or a text/csv body), optionally with
// city, province and country columns, answered row by row with the entity
// each name matches, its score, and its exposure: the links from it to the
// pairing programme and to designation lists, with their strength, weakest
// step, contested flag and counter-claims. JSON by default; CSV with
// ?format=csv or Accept: text/csv. Query parameters: name, city, province,
// country (the header of each column; found by its usual names otherwise),
// asOf (exposure known in force on that date), format.
//
// Nothing uploaded is stored or logged: the file is read into memory (never
// to disk), answered, and dropped. Mount it with the API's guards.
func SupplierCheckHandler(svc domain.ReadService, cfg InteropConfig, log *slog.Logger) http.Handler {
	h := &supplierChecker{svc: svc, m: matcher{svc: svc}, cfg: cfg, log: log}
	return http.HandlerFunc(h.serve)
}

type supplierChecker struct {
	svc domain.ReadService
	m   matcher
	cfg InteropConfig
	log *slog.Logger
}

func (h *supplierChecker) fail(w http.ResponseWriter, r *http.Request, err error) {
	failWith(h.log, "supplier check", w, r, err)
}

func (h *supplierChecker) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeStatus(w, http.StatusMethodNotAllowed, domain.Errorf(domain.EBADINPUT, "POST a CSV file (multipart field \"file\", or a text/csv body)"))
		return
	}
	opts, err := supplierOptions(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data, err := readUpload(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sheet, err := parseSheet(data, opts)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.check(r.Context(), sheet, opts, baseURL(h.cfg, r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if opts.csv {
		var b bytes.Buffer
		if err := writeSupplierCSV(&b, sheet, res); err != nil {
			h.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="aidtrace-supplier-check.csv"`)
		w.Write(b.Bytes())
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// supplierOpts are the query parameters of a check.
type supplierOpts struct {
	columns map[string]string // role (name, city, province, country) -> header
	time    domain.Time
	csv     bool
}

var columnRoles = []string{"name", "city", "province", "country"}

func supplierOptions(r *http.Request) (supplierOpts, error) {
	v := r.URL.Query()
	o := supplierOpts{columns: map[string]string{}}
	for _, role := range columnRoles {
		if c := strings.TrimSpace(v.Get(role)); c != "" {
			o.columns[role] = c
		}
	}
	if s := v.Get("asOf"); s != "" {
		d, err := domain.ParsePartialDate(s)
		if err != nil {
			return o, domain.Errorf(domain.EBADINPUT, "asOf: %v", domain.ErrorMessage(err))
		}
		o.time.AsOf = d
	}
	switch strings.ToLower(v.Get("format")) {
	case "csv":
		o.csv = true
	case "json":
	case "":
		o.csv = strings.Contains(r.Header.Get("Accept"), "text/csv")
	default:
		return o, domain.Errorf(domain.EBADINPUT, "format: csv or json")
	}
	return o, nil
}

// readUpload reads the CSV from a multipart upload (field "file", or the
// first file) or from the body, into memory, at most MaxSupplierBytes.
func readUpload(r *http.Request) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return nil, domain.Errorf(domain.EBADINPUT, "Content-Type cannot be read")
	}
	var src io.Reader
	switch mt {
	case "multipart/form-data":
		// Read part by part: ParseMultipartForm would spill large files
		// to temporary files, and nothing uploaded may touch the disk.
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, domain.Errorf(domain.EBADINPUT, "the multipart body cannot be read")
		}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil, domain.Errorf(domain.EBADINPUT, "no file in the upload: send it in the field \"file\"")
			}
			if err != nil {
				return nil, uploadError(err)
			}
			if p.FormName() == "file" || p.FileName() != "" {
				src = p
				break
			}
		}
	case "text/csv", "text/plain", "application/csv", "application/octet-stream", "text/tab-separated-values", "":
		src = r.Body
	default:
		return nil, domain.Errorf(domain.EBADINPUT, "send the CSV as multipart/form-data (field \"file\") or as a text/csv body, not %s", truncateText(mt, 60))
	}
	data, err := io.ReadAll(io.LimitReader(src, MaxSupplierBytes+1))
	if err != nil {
		return nil, uploadError(err)
	}
	if len(data) > MaxSupplierBytes {
		return nil, tooLarge("the file is larger than %d bytes (%d KiB); split it", MaxSupplierBytes, MaxSupplierBytes>>10)
	}
	return data, nil
}

func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	return domain.Errorf(domain.EBADINPUT, "the upload cannot be read")
}

// sheet is the uploaded table.
type sheet struct {
	header  []string // the file's header, or column1, column2… without one
	hasHead bool
	rows    [][]string
	col     map[string]int // role -> column index (name always set)
}

// headerNames are the usual headers of each column role (normal form).
var headerNames = map[string][]string{
	"name": {"name", "company", "company name", "supplier", "supplier name", "factory", "factory name", "facility",
		"facility name", "manufacturer", "manufacturer name", "entity", "entity name", "organisation", "organization",
		"vendor", "vendor name", "名称", "公司", "公司名称", "企业", "企业名称", "供应商", "工厂", "工厂名称"},
	"city":     {"city", "town", "city town", "城市", "市"},
	"province": {"province", "state", "province state", "state province", "region", "省", "省份"},
	"country":  {"country", "country region", "country name", "国家", "國家"},
}

func normalHeader(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// parseSheet reads the CSV: its delimiter (comma, semicolon or tab, from
// the first line), its header, and which column holds what.
func parseSheet(data []byte, o supplierOpts) (*sheet, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, domain.Errorf(domain.EBADINPUT, "the file is not UTF-8 text: save it as \"CSV UTF-8\"")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, domain.Errorf(domain.EBADINPUT, "the file is empty")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = delimiter(data)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	var recs [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, domain.Errorf(domain.EBADINPUT, "the CSV cannot be read at line %d: %v", pe.Line, pe.Err)
			}
			return nil, domain.Errorf(domain.EBADINPUT, "the CSV cannot be read")
		}
		if len(recs) > MaxSupplierRows+1 {
			return nil, tooLarge("more than %d rows; split the file", MaxSupplierRows)
		}
		recs = append(recs, rec)
	}
	s := &sheet{col: map[string]int{}}
	first := recs[0]
	find := func(role string, names []string) int {
		for i, c := range first {
			for _, n := range names {
				if normalHeader(c) == normalHeader(n) {
					return i
				}
			}
		}
		return -1
	}
	for _, role := range columnRoles {
		if want, ok := o.columns[role]; ok {
			i := find(role, []string{want})
			if i < 0 {
				return nil, domain.Errorf(domain.EBADINPUT, "%s: no column %q in the header (%s)", role, truncateText(want, 60), truncateText(strings.Join(first, ", "), 200))
			}
			s.col[role], s.hasHead = i, true
		}
	}
	for _, role := range columnRoles {
		if _, ok := s.col[role]; !ok {
			if i := find(role, headerNames[role]); i >= 0 {
				s.col[role], s.hasHead = i, true
			}
		}
	}
	if _, ok := s.col["name"]; !ok {
		if s.hasHead {
			return nil, domain.Errorf(domain.EBADINPUT, "no column of names: name it \"name\" or \"company\", or say which with ?name=<header>")
		}
		s.col["name"] = 0
	}
	if s.hasHead {
		s.header, s.rows = first, recs[1:]
	} else {
		s.rows = recs
		width := 0
		for _, r := range recs {
			width = max(width, len(r))
		}
		for i := 0; i < width; i++ {
			s.header = append(s.header, "column"+strconv.Itoa(i+1))
		}
	}
	if len(s.rows) > MaxSupplierRows {
		return nil, tooLarge("%d rows; at most %d in one check: split the file", len(s.rows), MaxSupplierRows)
	}
	if len(s.rows) == 0 {
		return nil, domain.Errorf(domain.EBADINPUT, "the file has a header but no rows")
	}
	return s, nil
}

// delimiter guesses the field separator from the first line: the most
// frequent of comma, semicolon and tab (spreadsheets in many languages
// save CSV with semicolons).
func delimiter(data []byte) rune {
	line := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		line = data[:i]
	}
	best, n := ',', bytes.Count(line, []byte(","))
	for _, d := range []rune{';', '\t'} {
		if c := bytes.Count(line, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

func (s *sheet) cell(row []string, role string) string {
	i, ok := s.col[role]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// The answer.

// Row statuses.
const (
	statusMatch     = "match"     // one exact, unambiguous match
	statusCandidate = "candidate" // a likely entity: check it before use
	statusNoMatch   = "no match"
	statusEmpty     = "empty" // no name in the row
)

type entityRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"`
	URL  string `json:"url,omitempty"`
}

type scoredRef struct {
	entityRef
	Score float64 `json:"score"`
}

type stepOut struct {
	Relation   string `json:"relation"`
	Type       string `json:"type"`
	From       string `json:"from"`
	To         string `json:"to"`
	FromName   string `json:"fromName"`
	ToName     string `json:"toName"`
	ValidFrom  string `json:"validFrom,omitempty"`
	ValidTo    string `json:"validTo,omitempty"`
	InForce    string `json:"inForce,omitempty"`
	Confidence string `json:"confidence"`
	BestGrade  string `json:"bestGrade,omitempty"`
	Strength   string `json:"strength"`
	Contested  bool   `json:"contested"`
}

type linkOut struct {
	Target      entityRef `json:"target"`
	Reason      string    `json:"reason"`
	Strength    string    `json:"strength"`
	WeakestStep int       `json:"weakestStep"`
	Contested   bool      `json:"contested"`
	Steps       []stepOut `json:"steps"`
}

// targetRef is what an exposure reaches, with its strongest link's strength.
type targetRef struct {
	entityRef
	Strength string `json:"strength"`
}

type exposureOut struct {
	Links     int  `json:"links"`
	Truncated bool `json:"truncated"`
	// AidingParties, Designations and LabourTransfers (the areas workers
	// were transferred from, and who organised it) are the targets reached,
	// each with the strength of its strongest link.
	AidingParties   []targetRef `json:"aidingParties"`
	Designations    []targetRef `json:"designations"`
	LabourTransfers []targetRef `json:"labourTransfers"`
	// Strength is the strongest link's; WeakestLink is that link's weakest
	// step: what the best-established exposure rests on.
	Strength      string    `json:"strength,omitempty"`
	WeakestLink   *stepOut  `json:"weakestLink,omitempty"`
	Contested     bool      `json:"contested"`
	CounterClaims int       `json:"counterClaims"`
	Paths         []linkOut `json:"paths"`
}

type rowOut struct {
	Row        int          `json:"row"` // record number in the file, header included
	Values     []string     `json:"values"`
	Query      string       `json:"query"`
	Status     string       `json:"status"`
	Entity     *entityRef   `json:"entity"`
	Score      float64      `json:"score"`
	Match      bool         `json:"match"`
	Candidates []scoredRef  `json:"candidates"`
	Exposure   *exposureOut `json:"exposure"`
}

type supplierResult struct {
	Columns []string          `json:"columns"`
	Using   map[string]string `json:"using"` // role -> header used
	AsOf    string            `json:"asOf,omitempty"`
	Rows    []rowOut          `json:"rows"`
	Summary map[string]int    `json:"summary"`
	Limits  map[string]int    `json:"limits"`
}

// check matches every row and finds the exposure of each entity found.
func (h *supplierChecker) check(ctx context.Context, s *sheet, o supplierOpts, base string) (*supplierResult, error) {
	res := &supplierResult{Columns: s.header, Using: map[string]string{}, Rows: make([]rowOut, len(s.rows)),
		Summary: map[string]int{}, Limits: map[string]int{"maxRows": MaxSupplierRows, "maxBytes": MaxSupplierBytes}}
	if !o.time.AsOf.IsZero() {
		res.AsOf = o.time.AsOf.String()
	}
	for role, i := range s.col {
		res.Using[role] = s.header[i]
	}
	// One query per distinct name and places.
	index := map[string]int{}
	var qs []matchQuery
	qOf := make([]int, len(s.rows))
	for i, row := range s.rows {
		q := matchQuery{Text: s.cell(row, "name"), Limit: supplierCandidates + 1}
		for _, role := range []string{"city", "province", "country"} {
			if v := s.cell(row, role); v != "" {
				q.Places = append(q.Places, placeValue{PID: role, Value: v})
			}
		}
		qOf[i] = -1
		if q.Text == "" {
			continue
		}
		key := q.Text + "\x00" + fmt.Sprint(q.Places)
		j, ok := index[key]
		if !ok {
			j = len(qs)
			index[key] = j
			qs = append(qs, q)
		}
		qOf[i] = j
	}
	cands, err := h.m.match(ctx, qs)
	if err != nil {
		return nil, err
	}
	// Exposure of each distinct entity found.
	var ids []string
	for i := range s.rows {
		if j := qOf[i]; j >= 0 && len(cands[j]) > 0 && cands[j][0].Score >= CandidateScore && !containsStr(ids, cands[j][0].Entity.ID) {
			ids = append(ids, cands[j][0].Entity.ID)
		}
	}
	exps := make([]*domain.Exposure, len(ids))
	err = parallel(ctx, len(ids), func(ctx context.Context, i int) error {
		x, err := h.svc.Exposure(ctx, domain.ExposureQuery{ID: ids[i], Time: o.time, First: domain.MaxExposureLinks})
		exps[i] = x
		return err
	})
	if err != nil {
		return nil, err
	}
	expOf := map[string]*domain.Exposure{}
	var named, contestable []string
	for i, x := range exps {
		expOf[ids[i]] = x
		contestable = append(contestable, ids[i])
		for _, l := range x.Links {
			named = append(named, l.Target)
			for _, st := range l.Steps {
				named = append(named, st.Start, st.End)
				contestable = append(contestable, st.Relation.ID)
			}
		}
	}
	names := map[string]*domain.Entity{}
	if len(named) > 0 {
		if names, err = h.svc.EntitiesByID(ctx, dedupe(named)); err != nil {
			return nil, err
		}
	}
	counter := map[string][]domain.CounterClaim{}
	if len(contestable) > 0 {
		if counter, err = h.svc.CounterClaims(ctx, dedupe(contestable)); err != nil {
			return nil, err
		}
	}
	ref := func(id string) entityRef {
		r := entityRef{ID: id, Name: id, URL: viewURL(base, id)}
		if e := names[id]; e != nil {
			r.Name, r.Kind = e.Name, string(e.Kind)
		}
		return r
	}
	for i, row := range s.rows {
		out := rowOut{Row: i + 1, Values: row, Query: s.cell(row, "name"), Status: statusEmpty, Candidates: []scoredRef{}}
		if s.hasHead {
			out.Row = i + 2
		}
		if j := qOf[i]; j >= 0 {
			out.Status = statusNoMatch
			cs := cands[j]
			if len(cs) > 0 && cs[0].Score >= CandidateScore {
				top := cs[0]
				out.Status = statusCandidate
				if top.Match {
					out.Status = statusMatch
				}
				out.Entity = &entityRef{ID: top.Entity.ID, Name: top.Entity.Name, Kind: string(top.Entity.Kind), URL: viewURL(base, top.Entity.ID)}
				out.Score, out.Match = top.Score, top.Match
				out.Exposure = exposureSummary(expOf[top.Entity.ID], counter, top.Entity.ID, ref)
				cs = cs[1:]
			}
			for _, c := range cs {
				if len(out.Candidates) == supplierCandidates {
					break
				}
				out.Candidates = append(out.Candidates, scoredRef{entityRef{ID: c.Entity.ID, Name: c.Entity.Name, Kind: string(c.Entity.Kind), URL: viewURL(base, c.Entity.ID)}, c.Score})
			}
		}
		res.Summary[out.Status]++
		if out.Exposure != nil && out.Exposure.Links > 0 {
			res.Summary["exposed"]++
		}
		res.Rows[i] = out
	}
	res.Summary["rows"] = len(s.rows)
	return res, nil
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// exposureSummary shapes one entity's exposure for a row.
func exposureSummary(x *domain.Exposure, counter map[string][]domain.CounterClaim, id string, ref func(string) entityRef) *exposureOut {
	out := &exposureOut{AidingParties: []targetRef{}, Designations: []targetRef{}, LabourTransfers: []targetRef{}, Paths: []linkOut{}}
	if x == nil {
		return out
	}
	out.Links, out.Truncated = x.Total, x.Truncated
	ccs := map[string]bool{}
	for _, c := range counter[id] {
		ccs[c.ID] = true
	}
	seenTarget := map[string]bool{}
	for i, l := range x.Links {
		// Links come strongest first: a target's first is its strongest.
		if !seenTarget[l.Target] {
			seenTarget[l.Target] = true
			t := targetRef{ref(l.Target), l.Strength.String()}
			switch l.Reason {
			case domain.ExposureDesignation:
				out.Designations = append(out.Designations, t)
			case domain.ExposureLabourTransfer:
				out.LabourTransfers = append(out.LabourTransfers, t)
			default:
				out.AidingParties = append(out.AidingParties, t)
			}
		}
		out.Contested = out.Contested || l.Contested
		lo := linkOut{Target: ref(l.Target), Reason: string(l.Reason), Strength: l.Strength.String(),
			WeakestStep: l.WeakestStep, Contested: l.Contested, Steps: []stepOut{}}
		for _, st := range l.Steps {
			for _, c := range counter[st.Relation.ID] {
				ccs[c.ID] = true
			}
			lo.Steps = append(lo.Steps, stepOf(st, ref))
		}
		if i == 0 && len(lo.Steps) > 0 {
			out.Strength = lo.Strength
			w := lo.Steps[l.WeakestStep]
			out.WeakestLink = &w
		}
		if len(out.Paths) < supplierLinks {
			out.Paths = append(out.Paths, lo)
		}
	}
	out.CounterClaims = len(ccs)
	return out
}

func stepOf(st domain.Step, ref func(string) entityRef) stepOut {
	r := &st.Relation
	return stepOut{
		Relation: r.ID, Type: r.Type, From: r.From, To: r.To, FromName: ref(r.From).Name, ToName: ref(r.To).Name,
		ValidFrom: r.ValidFrom.String(), ValidTo: r.ValidTo.String(), InForce: string(st.InForce),
		Confidence: string(r.Confidence), BestGrade: string(r.BestGrade), Strength: r.Strength().String(),
		Contested: r.IsContested(),
	}
}

// supplierCSVColumns are the columns the check adds to each row.
var supplierCSVColumns = []string{"aidtrace_status", "aidtrace_id", "aidtrace_name", "aidtrace_kind", "aidtrace_score",
	"aidtrace_match", "aidtrace_url", "exposure_links", "aiding_parties", "designations", "labour_transfers_from",
	"exposure_strength", "weakest_link", "contested", "counter_claims"}

// writeSupplierCSV writes the rows as uploaded, each with the columns above.
func writeSupplierCSV(w io.Writer, s *sheet, res *supplierResult) error {
	cw := csv.NewWriter(w)
	width := len(s.header)
	if err := cw.Write(append(append([]string{}, s.header...), supplierCSVColumns...)); err != nil {
		return err
	}
	names := func(rs []targetRef) string {
		var ns []string
		for _, r := range rs {
			ns = append(ns, r.Name+" ("+r.Strength+")")
		}
		return strings.Join(ns, "; ")
	}
	for _, r := range res.Rows {
		rec := make([]string, width, width+len(supplierCSVColumns))
		copy(rec, r.Values)
		add := make([]string, len(supplierCSVColumns))
		add[0] = r.Status
		if r.Entity != nil {
			add[1], add[2], add[3], add[6] = r.Entity.ID, r.Entity.Name, r.Entity.Kind, r.Entity.URL
			add[4], add[5] = strconv.FormatFloat(r.Score, 'f', -1, 64), strconv.FormatBool(r.Match)
		}
		if x := r.Exposure; x != nil {
			add[7] = strconv.Itoa(x.Links)
			add[8], add[9], add[10], add[11] = names(x.AidingParties), names(x.Designations), names(x.LabourTransfers), x.Strength
			if x.WeakestLink != nil {
				add[12] = describeStep(x.WeakestLink)
			}
			add[13], add[14] = strconv.FormatBool(x.Contested), strconv.Itoa(x.CounterClaims)
		}
		if err := cw.Write(append(rec, add...)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// describeStep is a step in words: "Qingdao Taekwang Shoes Co. SUPPLIES
// Nike (WEAK: best grade C, reported; rel:…)".
func describeStep(s *stepOut) string {
	grade := s.BestGrade
	if grade == "" {
		grade = "none"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s (%s: best grade %s, %s", s.FromName, s.Type, s.ToName, s.Strength, grade, s.Confidence)
	if s.ValidFrom != "" || s.ValidTo != "" {
		fmt.Fprintf(&b, ", %s–%s", s.ValidFrom, s.ValidTo)
	}
	if s.Contested {
		b.WriteString(", contested")
	}
	fmt.Fprintf(&b, "; %s)", s.Relation)
	return b.String()
}
