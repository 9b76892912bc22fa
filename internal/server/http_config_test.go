package server_test

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
	"github.com/aidtrace/aidtrace/internal/server"
)

// CORS is off by default; with an allow-list, the listed origins' scripts
// may call the API and their preflights are answered, before any limit.
func TestCORS(t *testing.T) {
	stats := "/graphql?query=" + url.QueryEscape("{ stats { entities } }")
	req := func(base, method, origin string, preflight bool) *http.Request {
		r, _ := http.NewRequest(method, base+stats, nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if preflight {
			r.Header.Set("Access-Control-Request-Method", "POST")
			r.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		}
		return r
	}
	off := serve(t, statsOK, readyOK)
	if _, h, _ := do(t, req(off, http.MethodGet, "https://tool.example.org", false)); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS off: Access-Control-Allow-Origin %q", h.Get("Access-Control-Allow-Origin"))
	}
	if status, h, _ := do(t, req(off, http.MethodOptions, "https://tool.example.org", true)); status < 400 || h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS off: a preflight got %d, Access-Control-Allow-Origin %q", status, h.Get("Access-Control-Allow-Origin"))
	}

	origins, err := server.ParseOrigins([]string{"https://tool.example.org", "http://localhost:5173"})
	if err != nil {
		t.Fatal(err)
	}
	// RequireKeyForReads: a preflight carries no key and must pass anyway.
	on := serveWith(t, server.Config{CORSOrigins: origins, RequireKeyForReads: true, Keys: fakeKeys{}}, statsOK, readyOK)
	status, h, _ := do(t, req(on, http.MethodOptions, "https://tool.example.org", true))
	if status != 204 || h.Get("Access-Control-Allow-Origin") != "https://tool.example.org" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") || !strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Errorf("preflight of an allowed origin: %d %v", status, h)
	}
	if status, h, _ := do(t, req(on, http.MethodOptions, "https://evil.example.net", true)); status != 403 || h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight of another origin: %d, Access-Control-Allow-Origin %q", status, h.Get("Access-Control-Allow-Origin"))
	}
	r := req(on, http.MethodGet, "http://localhost:5173", false)
	r.Header.Set("Authorization", "Bearer key-reader")
	status, h, _ = do(t, r)
	if status != 200 || h.Get("Access-Control-Allow-Origin") != "http://localhost:5173" || !strings.Contains(h.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
		t.Errorf("a request of an allowed origin: %d %v", status, h)
	}
	// Errors carry the headers too, so the tool can read them.
	if status, h, _ = do(t, req(on, http.MethodGet, "https://tool.example.org", false)); status != 401 || h.Get("Access-Control-Allow-Origin") != "https://tool.example.org" {
		t.Errorf("a refused request of an allowed origin: %d, Access-Control-Allow-Origin %q", status, h.Get("Access-Control-Allow-Origin"))
	}
	if _, h, _ = do(t, req(on, http.MethodGet, "https://evil.example.net", false)); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("another origin: Access-Control-Allow-Origin %q", h.Get("Access-Control-Allow-Origin"))
	}
	for _, bad := range [][]string{{"tool.example.org"}, {"https://tool.example.org/path"}, {"*", "https://a.example"}, {"ftp://x.example"}} {
		if _, err := server.ParseOrigins(bad); err == nil {
			t.Errorf("ParseOrigins(%q) accepted", bad)
		}
	}
}

// from is an HTTP client whose connections come from the loopback address
// ip (all of 127.0.0.0/8 is loopback on Linux).
func from(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// One address cannot take every in-flight slot: past its share it gets
// 429, and another address is still served.
func TestOneAddressGetsAFairShare(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	defer once.Do(func() { close(release) })
	stats := func() (*domain.Stats, error) {
		<-release
		return &domain.Stats{}, nil
	}
	base := serveWith(t, server.Config{MaxInFlight: 8, MaxInFlightPerAddr: 2}, stats, readyOK)
	greedy := from("127.0.0.2")
	statuses := make(chan int, 8)
	for range 8 {
		go func() {
			resp, err := greedy.Post(base+"/graphql", "application/json", strings.NewReader(`{"query": "{ stats { entities } }"}`))
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	// Six of the eight are refused at once (their address holds two).
	got := map[int]int{}
	for range 6 {
		got[<-statuses]++
	}
	if got[http.StatusTooManyRequests] != 6 {
		t.Errorf("the greedy address's refused requests: %v, want 6 × 429", got)
	}
	// Another address gets a slot although the greedy one waits on two.
	done := make(chan int, 1)
	go func() {
		resp, err := from("127.0.0.3").Post(base+"/graphql", "application/json", strings.NewReader(`{"query": "{ __typename }"}`))
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	select {
	case s := <-done:
		if s != 200 {
			t.Errorf("another address: status %d", s)
		}
	case <-time.After(5 * time.Second):
		t.Error("another address was not served")
	}
	once.Do(func() { close(release) })
	for range 2 {
		if s := <-statuses; s != 200 {
			t.Errorf("an admitted request: %d", s)
		}
	}
}

// A body that does not arrive within BodyTimeout gets 408 and holds no
// in-flight slot while it is awaited.
func TestSlowBodyTimesOutWithoutASlot(t *testing.T) {
	base := serveWith(t, server.Config{MaxInFlight: 1, BodyTimeout: 500 * time.Millisecond}, statsOK, readyOK)
	u, _ := url.Parse(base)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", u.Host)
	// While it waits, the one slot is free for others.
	status, _ := post(t, base, `{ stats { entities } }`)
	if status != 200 {
		t.Errorf("a normal request while a body is awaited: %d", status)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 512)
	n, _ := c.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 408") || !strings.Contains(string(buf[:n]), domain.ELIMIT) {
		t.Errorf("the slow body's answer: %q", buf[:n])
	}
}

// A query that ran out of its time is QUERY_TIMEOUT, answered 200 without
// Retry-After: retrying it as it is would fail again. An outage stays
// UNAVAILABLE, 503 with Retry-After.
func TestTimeoutIsNotAnOutage(t *testing.T) {
	for _, tt := range []struct {
		err        error
		status     int
		retryAfter string
	}{
		{domain.Errorf(domain.ETIMEOUT, "the query took longer than the 15s it may take"), 200, ""},
		{domain.Errorf(domain.EUNAVAILABLE, "the database is unavailable; try again"), 503, "2"},
	} {
		base := serve(t, func() (*domain.Stats, error) { return nil, tt.err }, readyOK)
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query": "{ stats { entities } }"}`))
		req.Header.Set("Content-Type", "application/json")
		status, h, out := do(t, req)
		code, _ := firstError(t, out)
		if status != tt.status || h.Get("Retry-After") != tt.retryAfter || code != domain.ErrorCode(tt.err) {
			t.Errorf("%v: status %d, Retry-After %q, code %s; want %d %q", tt.err, status, h.Get("Retry-After"), code, tt.status, tt.retryAfter)
		}
	}
}
