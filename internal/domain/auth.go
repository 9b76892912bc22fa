package domain

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"regexp"
	"time"
)

// Role is what an API key may do. Reads are public unless the server is
// set to require a key; writes need editor or admin.
type Role string

const (
	RoleReader Role = "reader" // may read when reads require a key
	RoleEditor Role = "editor" // may also create, update and retract claims
	RoleAdmin  Role = "admin"  // everything (reserved for key management over the API)
)

var roles = []Role{RoleReader, RoleEditor, RoleAdmin}

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool { return oneOf(r, roles) }

// APIKey is a stored key, without its secret (only a hash is kept).
type APIKey struct {
	ID      string
	Name    string
	Role    Role
	Created time.Time
	Revoked *time.Time
}

// Principal is who makes a request.
type Principal struct {
	KeyID string
	Name  string
	Role  Role
}

// Actor is how the audit trail names the principal.
func (p *Principal) Actor() string { return p.Name + " (key " + p.KeyID + ")" }

type principalKey struct{}

// WithPrincipal returns ctx carrying the authenticated principal.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, or nil for an anonymous request.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// RequireRole returns UNAUTHENTICATED when ctx has no principal and
// FORBIDDEN when its role is not one of allowed.
func RequireRole(ctx context.Context, allowed ...Role) (*Principal, error) {
	p := PrincipalFrom(ctx)
	if p == nil {
		return nil, Errorf(EUNAUTHENTICATED, "this needs an API key: send it as 'Authorization: Bearer <key>'")
	}
	if !oneOf(p.Role, allowed) {
		return nil, Errorf(EFORBIDDEN, "a key with role %s may not do this (needs %s)", p.Role, list(allowed))
	}
	return p, nil
}

// Keys are "atk_<id>_<secret>": the id finds the stored key, the secret is
// checked against its SHA-256. Secrets are 256 random bits, so a fast hash
// is enough: there is nothing to brute-force.
var tokenRE = regexp.MustCompile(`^atk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$`)

// ParseToken splits a key into its id and secret.
func ParseToken(token string) (id, secret string, ok bool) {
	m := tokenRE.FindStringSubmatch(token)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// HashSecret is the stored form of a key's secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// SecretMatches compares a secret with a stored hash in constant time.
func SecretMatches(secret, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(HashSecret(secret)), []byte(hash)) == 1
}

// KeyService stores API keys. Only the command line and admins manage keys.
type KeyService interface {
	// CreateKey makes a key and returns it whole, once: only its hash is kept.
	CreateKey(ctx context.Context, name string, role Role) (token string, _ *APIKey, _ error)
	// RevokeKey revokes a key by id. Errors: NOT_FOUND.
	RevokeKey(ctx context.Context, id string) error
	// ListKeys lists keys, newest first.
	ListKeys(ctx context.Context) ([]APIKey, error)
	// Authenticate checks a token. Errors: UNAUTHENTICATED (unknown,
	// malformed or revoked key), UNAVAILABLE.
	Authenticate(ctx context.Context, token string) (*Principal, error)
}
