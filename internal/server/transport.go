package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/aidtrace/aidtrace/internal/domain"
)

// Response media types of GraphQL over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// graphqlHTTP serves GraphQL over HTTP (graphql.github.io/graphql-over-http)
// for GET (queries only) and POST (application/json), and answers every
// other request with a coded error. It replaces gqlgen's transports, whose
// statuses, bodies and messages differ from the spec's recommendations
// (422 for request errors under application/json, a `data` entry on parse
// failures, Go type names in decoding errors). It is the only transport.
//
// Statuses: a request that is not a well-formed GraphQL-over-HTTP request
// (bad JSON, no query, a wrong method or content type) gets 4xx. A
// well-formed one whose document fails (parse, validation, limits) gets 200
// under application/json and 400 under application/graphql-response+json,
// with errors and no `data`. An executed operation gets 200 (the observe
// layer turns UNAVAILABLE into 503).
//
// A query's answer carries a validator (ETag) of the graph's version and
// the request's identity (the request as sent, see identify): a matching
// If-None-Match gets 304 Not Modified, and a repeat is served from the
// answer cache, both before the operation is set up (see answers.go).
// Mutations and answers with errors are neither.
type graphqlHTTP struct {
	answers   *answers          // nil: no validators, no cache
	persisted *persistedQueries // nil: none kept
}

var _ graphql.Transport = graphqlHTTP{}

func (graphqlHTTP) Supports(*http.Request) bool { return true }

func (t graphqlHTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := negotiate(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	ctx := r.Context()
	// Only an answer found good below is validated: the rest (errors,
	// mutations) must not be stored by a browser or a CDN.
	w.Header().Set("Cache-Control", "no-store")
	fail := func(status int, msg string) {
		err := gqlerror.Errorf("%s", msg)
		writeErrors(w, status, exec.DispatchError(ctx, gqlerror.List{err}))
	}
	var params *graphql.RawParams
	var status int
	var msg string
	switch r.Method {
	case http.MethodGet:
		params, status, msg = paramsFromURL(r.URL.RawQuery)
	case http.MethodPost:
		params, status, msg = paramsFromBody(r)
	default:
		w.Header().Set("Allow", "GET, POST")
		fail(http.StatusMethodNotAllowed, "use GET (queries) or POST")
		return
	}
	if params == nil {
		fail(status, msg)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}

	// The request as sent names its answer: a held validator gets 304, and
	// a repeat is served from the cache, before the operation is set up
	// (parsed, validated, its complexity counted). Only a query's good
	// answer is ever validated or kept, so a request that would fail or
	// mutate finds neither.
	x := t.identify(r, media, params)
	if x != nil && (x.notModified(w, r) || x.serveCached(w, r)) {
		t.persisted.keepAnswered(params)
		return
	}
	rc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		writeErrors(w, status, exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs))
		return
	}
	if r.Method == http.MethodGet && rc.Operation.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		err := gqlerror.Errorf("GET is for queries only: send mutations with POST")
		writeErrors(w, http.StatusMethodNotAllowed, exec.DispatchError(graphql.WithOperationContext(ctx, rc), gqlerror.List{err}))
		return
	}
	if rc.Operation.Operation != ast.Query {
		x = nil
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	resp := responses(ctx)
	if resp == nil {
		// gqlgen runs nothing and answers nothing when the request's
		// context has ended (the client went away, or the request's time
		// ran out before the operation ran): a timeout, for anyone still
		// listening.
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = httpStatus[domain.ETIMEOUT]
		}
		err := domain.Errorf(domain.ETIMEOUT, "the request ended before its operation ran")
		writeErrors(w, status, exec.DispatchError(ctx, gqlerror.List{{Message: err.Error(), Err: err}}))
		return
	}
	if x == nil || len(resp.Errors) > 0 {
		if x != nil {
			x.a.count(x.route, "error")
		}
		writeResponse(w, http.StatusOK, resp)
		return
	}
	b, err := encodeAnswer(resp)
	if err != nil {
		writeResponse(w, http.StatusOK, resp) // answers the internal error
		return
	}
	// The answer goes out as its repeats will, gzipped once for both.
	x.write(w, r, b, x.keep(nil, b, media))
}

// identify names a request's answer by the request as sent: the media type,
// the operation name, the document (a persisted query's by its hash, when
// this server holds it) and the variables as sent (json.Marshal sorts
// keys), with the route and the caller's role (answers.begin). The same
// request at the same graph version gets the same answer. nil: no
// validators or cache here, a persisted hash this server does not hold, or
// one that is not the document's.
func (t graphqlHTTP) identify(r *http.Request, media string, p *graphql.RawParams) *exchange {
	if t.answers == nil {
		return nil
	}
	doc := p.Query
	hash, named, bad := persistedHash(p.Extensions)
	switch {
	case bad != nil:
		return nil
	case doc == "":
		if !named || t.persisted == nil {
			return nil
		}
		var ok bool
		if doc, ok = t.persisted.docs.Get(hash); !ok {
			return nil
		}
	case named && t.persisted != nil && !names(hash, doc):
		return nil // refused when the operation is set up (persistedLookup)
	}
	vars, err := json.Marshal(p.Variables)
	if err != nil {
		return nil
	}
	return t.answers.begin(r, "/graphql", media, p.OperationName, doc, string(vars))
}

// negotiate picks the response media type from Accept: the supported type
// with the highest weight (application/graphql-response+json or
// application/json; wildcards and anything else mean application/json).
func negotiate(accept string) string {
	best, bestQ := mediaJSON, -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				q = f
			}
		}
		var m string
		switch mt {
		case mediaGraphQLResponse:
			m = mediaGraphQLResponse
		case mediaJSON, "application/*", "*/*":
			m = mediaJSON
		default:
			continue
		}
		if q > bestQ && q > 0 {
			best, bestQ = m, q
		}
	}
	return best
}

// paramsFromURL reads a GET request's parameters. It returns nil, a status
// and a message when they are not well-formed.
func paramsFromURL(rawQuery string) (*graphql.RawParams, int, string) {
	v, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, http.StatusBadRequest, "the URL's parameters are not well-formed"
	}
	for _, k := range []string{"query", "operationName", "variables", "extensions"} {
		if len(v[k]) > 1 {
			return nil, http.StatusBadRequest, "the parameter " + k + " is given more than once"
		}
	}
	p := &graphql.RawParams{Query: v.Get("query"), OperationName: v.Get("operationName")}
	if s := v.Get("variables"); s != "" {
		if p.Variables, err = jsonObject([]byte(s)); err != nil {
			return nil, http.StatusBadRequest, "variables: " + err.Error()
		}
	}
	if s := v.Get("extensions"); s != "" {
		if p.Extensions, err = jsonObject([]byte(s)); err != nil {
			return nil, http.StatusBadRequest, "extensions: " + err.Error()
		}
	}
	if p.Query == "" && !persistedOnly(p.Extensions) {
		return nil, http.StatusBadRequest, "give the document as the query parameter: /graphql?query={...} (or a persisted query's hash in extensions)"
	}
	return p, 0, ""
}

// paramsFromBody reads a POST request's parameters from its JSON body.
func paramsFromBody(r *http.Request) (*graphql.RawParams, int, string) {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	switch {
	case ct == "":
		return nil, http.StatusUnsupportedMediaType, "send the body as application/json (no Content-Type was given)"
	case err != nil || mt != mediaJSON:
		return nil, http.StatusUnsupportedMediaType, "send the body as application/json, or use GET with URL parameters"
	case params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8"):
		return nil, http.StatusUnsupportedMediaType, "send the body in UTF-8"
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge, "the request body is too large"
		}
		return nil, http.StatusBadRequest, "the request body could not be read"
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, http.StatusBadRequest, `the body is empty: send {"query": "..."}`
	}
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
		return nil, http.StatusBadRequest, "send one operation per request (batches are not supported)"
	}
	fields, err := jsonObject(body)
	if err != nil {
		return nil, http.StatusBadRequest, "the body: " + err.Error()
	}
	p := &graphql.RawParams{}
	str := func(key string, required bool) (string, string) {
		v, ok := fields[key]
		switch s, isStr := v.(string); {
		case !ok || v == nil:
			if required {
				return "", "the body has no " + key + `: send {"query": "..."}`
			}
			return "", ""
		case !isStr:
			return "", key + ": must be a string"
		case required && s == "":
			return "", key + ": must not be empty"
		default:
			return s, ""
		}
	}
	obj := func(key string) (map[string]any, string) {
		switch v := fields[key].(type) {
		case nil:
			return nil, ""
		case map[string]any:
			return v, ""
		default:
			return nil, key + ": must be a JSON object"
		}
	}
	var problem string
	if p.Extensions, problem = obj("extensions"); problem != "" {
		return nil, http.StatusBadRequest, problem
	}
	// A persisted query's hash may stand for the document.
	if p.Query, problem = str("query", !persistedOnly(p.Extensions)); problem != "" {
		return nil, http.StatusBadRequest, problem
	}
	if p.OperationName, problem = str("operationName", false); problem != "" {
		return nil, http.StatusBadRequest, problem
	}
	if p.Variables, problem = obj("variables"); problem != "" {
		return nil, http.StatusBadRequest, problem
	}
	return p, 0, ""
}

// jsonObject decodes one JSON object (numbers kept as json.Number, as
// gqlgen expects), with messages that name no Go type.
func jsonObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, errors.New("not valid JSON at byte " + strconv.FormatInt(syntax.Offset, 10))
		}
		return nil, errors.New("not valid JSON")
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not valid JSON after the object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("must be a JSON object")
	}
	return m, nil
}

// writeErrors answers a request that did not execute: errors only, no
// `data` entry (the operation never ran).
func writeErrors(w http.ResponseWriter, status int, resp *graphql.Response) {
	writeResponse(w, status, struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Errors, resp.Extensions})
}

// encodeAnswer writes a response as JSON, byte for byte as json.Marshal
// does. An answer with data only (every good query's) is {"data": ...}
// around the bytes gqlgen wrote: json.Marshal would scan them twice more,
// to check and to compact them (for a 75 KiB neighbourhood, a tenth of the
// server's CPU; the check alone, a seventh of a 50-chain answer's). They
// need neither: gqlgen writes compact JSON, and every leaf is written by a
// marshaller that writes JSON whatever value it holds (graph's
// TestEveryLeafIsWrittenAsJSON keeps the list of them; graph/geninline
// makes gqlgen's enums one of them). What json.Marshal would change (it
// escapes <, > and & and the line and paragraph separators, for JSON put in
// HTML) sends the answer through json.Marshal, as does anything but data
// alone.
func encodeAnswer(v any) ([]byte, error) {
	if r, ok := v.(*graphql.Response); ok && r != nil && len(r.Errors) == 0 && len(r.Extensions) == 0 &&
		r.Data != nil && r.Label == "" && r.Path == nil && r.HasNext == nil && !htmlEscaped(r.Data) {
		b := make([]byte, 0, len(r.Data)+len(`{"data":}`))
		b = append(b, `{"data":`...)
		b = append(b, r.Data...)
		return append(b, '}'), nil
	}
	return json.Marshal(v)
}

// htmlEscaped reports whether json.Marshal would escape something in b.
// (Five fast scans: bytes.ContainsAny decodes b rune by rune.)
func htmlEscaped(b []byte) bool {
	return bytes.IndexByte(b, '<') >= 0 || bytes.IndexByte(b, '>') >= 0 || bytes.IndexByte(b, '&') >= 0 ||
		bytes.Contains(b, []byte("\u2028")) || bytes.Contains(b, []byte("\u2029"))
}

func writeResponse(w http.ResponseWriter, status int, v any) {
	b, err := encodeAnswer(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"` + domain.EINTERNAL + `"}}]}`)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", mediaJSON+"; charset=utf-8")
	}
	w.WriteHeader(status)
	w.Write(b)
}
