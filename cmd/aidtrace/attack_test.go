package main

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// clientFrom is an HTTP client whose connections come from the loopback
// address ip (127.0.0.0/8 is all loopback on Linux): a second client
// address for tests that need one.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// slowBodies opens n connections from ip, each sending a POST's headers
// and "{", then one more byte every interval, until stop is closed.
func slowBodies(t *testing.T, base, ip string, n int, interval time.Duration, stop <-chan struct{}) *sync.WaitGroup {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
		c, err := d.Dial("tcp", u.Host)
		if err != nil {
			t.Fatalf("attacker %d: %v", i, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", u.Host)
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := c.Write([]byte(" ")); err != nil {
						return // the server hung up: the attack is over for this socket
					}
				}
			}
		}()
	}
	return &wg
}

// TestSlowBodiesDoNotStarveReaders is the slow-body attack of issue 12:
// 70 sockets from one address send a request body a byte every 1.5s. A
// normal query from another address is answered 200 throughout, and
// promptly.
func TestSlowBodiesDoNotStarveReaders(t *testing.T) {
	r := MustServeSeeds(t, nil, nil)
	stop := make(chan struct{})
	attackers := slowBodies(t, r.URL, "127.0.0.2", 70, 1500*time.Millisecond, stop)
	defer func() { close(stop); attackers.Wait() }()
	time.Sleep(time.Second) // every attacker is in

	client := clientFrom("127.0.0.1")
	statuses := map[int]int{}
	var took []time.Duration
	for end := time.Now().Add(8 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		began := time.Now()
		resp, err := client.Post(r.URL+"/graphql", "application/json", strings.NewReader(`{"query":"{ stats { entities } }"}`))
		if err != nil {
			t.Fatalf("normal query during the attack: %v", err)
		}
		resp.Body.Close()
		took = append(took, time.Since(began))
		statuses[resp.StatusCode]++
	}
	slices.Sort(took)
	t.Logf("normal queries during a 70-socket slow-body attack: statuses %v, latency p50 %s, max %s",
		statuses, took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond))
	if statuses[http.StatusOK] != len(took) {
		t.Errorf("statuses %v during the attack, want only 200", statuses)
	}
}
