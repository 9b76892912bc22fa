package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aidtrace/aidtrace/internal/domain"
)

func TestByteLRUStaysWithinItsCap(t *testing.T) {
	var bytes int64
	var entries int
	c := newLRU(10_000, func(_ string, v []byte) int64 { return int64(len(v)) }, func(b int64, n int) { bytes, entries = b, n })
	for i := range 100 {
		c.Add(fmt.Sprint("k", i), make([]byte, 1000))
		if bytes > 10_000 {
			t.Fatalf("after %d adds: %d bytes held, cap 10000", i+1, bytes)
		}
	}
	if entries == 0 || entries > 9 {
		t.Errorf("%d entries of ~1.2 kB under a 10 kB cap", entries)
	}
	if _, ok := c.Get("k0"); ok {
		t.Error("the oldest entry survived")
	}
	if _, ok := c.Get("k99"); !ok {
		t.Error("the newest entry was evicted")
	}
	// Recently used entries stay.
	c.Get("k95")
	for i := range 6 {
		c.Add(fmt.Sprint("n", i), make([]byte, 1000))
	}
	if _, ok := c.Get("k95"); !ok {
		t.Error("an entry used just before was evicted before older ones")
	}
	if c.Add("huge", make([]byte, 20_000)) {
		t.Error("a value larger than the cap was stored")
	}
	c.Purge()
	if b, n := c.Stats(); b != 0 || n != 0 || bytes != 0 {
		t.Errorf("after Purge: %d bytes, %d entries (metric %d)", b, n, bytes)
	}
}

func TestVersions(t *testing.T) {
	var mu sync.Mutex
	db := domain.GraphVersion{Epoch: "e1", N: 5}
	fail := false
	read := func(context.Context) (domain.GraphVersion, error) {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return domain.GraphVersion{}, errors.New("down")
		}
		return db, nil
	}
	set := func(v domain.GraphVersion, f bool) { mu.Lock(); db, fail = v, f; mu.Unlock() }
	now := time.Unix(1000, 0)
	vs := NewVersions(read, time.Second, nil)
	vs.now = func() time.Time { return now }
	var changes []domain.GraphVersion
	vs.OnChange(func(v domain.GraphVersion) { changes = append(changes, v) })

	if _, ok := vs.Current(); ok {
		t.Fatal("known before any poll")
	}
	vs.Advance(domain.GraphVersion{Epoch: "e1", N: 3})
	if _, ok := vs.Current(); ok {
		t.Fatal("a local change made the version known before a poll")
	}
	if err := vs.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v, ok := vs.Current(); !ok || v != (domain.GraphVersion{Epoch: "e1", N: 5}) {
		t.Fatalf("after a poll: %v %v", v, ok)
	}
	vs.Advance(domain.GraphVersion{Epoch: "e1", N: 7})
	if v, _ := vs.Current(); v.N != 7 {
		t.Errorf("a local change did not advance the version: %v", v)
	}
	// A poll that read before the local change must not move it back.
	vs.Poll(context.Background())
	if v, _ := vs.Current(); v.N != 7 {
		t.Errorf("an older poll moved the version back: %v", v)
	}
	// An emptied database starts a new epoch, whatever its count.
	set(domain.GraphVersion{Epoch: "e2", N: 1}, false)
	vs.Poll(context.Background())
	if v, _ := vs.Current(); v != (domain.GraphVersion{Epoch: "e2", N: 1}) {
		t.Errorf("a new epoch was not taken: %v", v)
	}
	// Cut off from the database, the version stops vouching for answers.
	set(db, true)
	now = now.Add(5 * time.Second)
	if _, ok := vs.Current(); !ok {
		t.Error("unknown within the staleness bound")
	}
	if vs.Poll(context.Background()) == nil {
		t.Fatal("the failing poll succeeded")
	}
	now = now.Add(5 * time.Second)
	if _, ok := vs.Current(); ok {
		t.Error("still known 10s after the last successful poll (interval 1s)")
	}
	set(db, false)
	vs.Poll(context.Background())
	if _, ok := vs.Current(); !ok {
		t.Error("not known again after a successful poll")
	}
	want := []domain.GraphVersion{{Epoch: "e1", N: 3}, {Epoch: "e1", N: 5}, {Epoch: "e1", N: 7}, {Epoch: "e2", N: 1}}
	if fmt.Sprint(changes) != fmt.Sprint(want) {
		t.Errorf("changes told: %v, want %v", changes, want)
	}
}

func TestETagMatching(t *testing.T) {
	vs := NewVersions(func(context.Context) (domain.GraphVersion, error) { return domain.GraphVersion{Epoch: "e", N: 1}, nil }, time.Second, nil)
	vs.Poll(context.Background())
	a := newAnswers(vs, 1<<20, "build", NewMetrics())
	req := func(inm ...string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/graphql?query={stats{entities}}", nil)
		for _, v := range inm {
			r.Header.Add("If-None-Match", v)
		}
		return r
	}
	x := a.begin(req(), "/graphql", "doc")
	tag := x.etag
	opaque := tag[1 : len(tag)-1]
	for _, c := range []struct {
		name  string
		inm   []string
		match bool
	}{
		{"none", nil, false},
		{"exact", []string{tag}, true},
		{"weak", []string{"W/" + tag}, true},
		{"in a list", []string{`"a", ` + tag + `, "b"`}, true},
		{"on a second line", []string{`"a"`, tag}, true},
		{"gzip-suffixed", []string{`"` + opaque + `-z-gzip"`}, true},
		{"zstd-suffixed", []string{`"` + opaque + `-z-zstd"`}, true},
		{"star", []string{"*"}, false},
		{"unquoted", []string{opaque}, false},
		{"another", []string{`"x` + opaque[1:] + `"`}, false},
	} {
		if got := x.matched(req(c.inm...)) != ""; got != c.match {
			t.Errorf("%s: matched %v, want %v", c.name, got, c.match)
		}
	}
	// Anything the answer depends on changes the tag.
	if y := a.begin(req(), "/graphql", "doc2"); y.etag == tag {
		t.Error("another document, the same ETag")
	}
	if y := a.begin(req(), "/export", "doc"); y.etag == tag {
		t.Error("another route, the same ETag")
	}
	keyed := req().WithContext(domain.WithPrincipal(context.Background(), &domain.Principal{KeyID: "k", Role: domain.RoleReader}))
	if y := a.begin(keyed, "/graphql", "doc"); y.etag == tag || !y.keyed {
		t.Error("a keyed request, the anonymous ETag")
	}
	if y := a.begin(req(), "/graphql", "do", "c"); y.etag == tag {
		t.Error("parts are not delimited: (do, c) hashes as (doc)")
	}
	vs.Advance(domain.GraphVersion{Epoch: "e", N: 2})
	if y := a.begin(req(), "/graphql", "doc"); y.etag == tag || y.key != x.key {
		t.Error("a new version: the ETag must change, the cache key not")
	}
}

func TestAcceptsGzip(t *testing.T) {
	for ae, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "br, gzip;q=0.5": true, "gzip;q=0": false, "gzip; q=0": false,
		"identity": false, "gzip, deflate, br, zstd": true, "x-gzip": false, "gzip;q=0.001": true,
	} {
		if got := acceptsGzip(ae); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", ae, got, want)
		}
	}
	if gzipped(make([]byte, 100), "application/json") != nil {
		t.Error("a 100-byte body was kept gzipped")
	}
	if gzipped(make([]byte, 5000), "application/zip") != nil {
		t.Error("a zip was gzipped")
	}
	if gz := gzipped(bytes.Repeat([]byte(`{"a":1}`), 1000), "application/json"); gz == nil || len(gz) > 1000 {
		t.Errorf("a 7 kB JSON body gzipped to %d bytes", len(gz))
	}
}
