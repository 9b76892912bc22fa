package server

import (
	"container/list"
	"sync"
)

// byteLRU is a map bounded by the bytes of its entries: past the cap, the
// least recently used entries go. It is safe for concurrent use.
type byteLRU[V any] struct {
	mu    sync.Mutex
	max   int64
	bytes int64
	order *list.List // of *lruItem[V], most recently used first
	items map[string]*list.Element
	size  func(key string, v V) int64
	// changed is told the bytes and entries after each change (metrics).
	changed func(bytes int64, entries int)
}

type lruItem[V any] struct {
	key  string
	v    V
	size int64
}

// entryOverhead approximates what an entry costs besides its key and value:
// the map slot, the list element and the item.
const entryOverhead = 160

func newLRU[V any](maxBytes int64, size func(string, V) int64, changed func(int64, int)) *byteLRU[V] {
	if changed == nil {
		changed = func(int64, int) {}
	}
	return &byteLRU[V]{max: maxBytes, order: list.New(), items: map[string]*list.Element{}, size: size, changed: changed}
}

// Get returns the value of key and marks it used.
func (c *byteLRU[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruItem[V]).v, true
}

// Add stores v under key (replacing what was there) and evicts the least
// recently used entries past the cap. A value larger than the whole cap is
// not stored; Add reports whether v was.
func (c *byteLRU[V]) Add(key string, v V) bool {
	n := c.size(key, v) + int64(len(key)) + entryOverhead
	if n > c.max {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.removeElement(el)
	}
	c.items[key] = c.order.PushFront(&lruItem[V]{key: key, v: v, size: n})
	c.bytes += n
	for c.bytes > c.max {
		c.removeElement(c.order.Back())
	}
	c.changed(c.bytes, len(c.items))
	return true
}

// Remove drops key.
func (c *byteLRU[V]) Remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.removeElement(el)
		c.changed(c.bytes, len(c.items))
	}
}

// Purge drops every entry.
func (c *byteLRU[V]) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	clear(c.items)
	c.bytes = 0
	c.changed(0, 0)
}

// Stats are the bytes and entries held now.
func (c *byteLRU[V]) Stats() (bytes int64, entries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes, len(c.items)
}

func (c *byteLRU[V]) removeElement(el *list.Element) {
	it := c.order.Remove(el).(*lruItem[V])
	delete(c.items, it.key)
	c.bytes -= it.size
}
