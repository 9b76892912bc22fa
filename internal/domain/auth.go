package domain

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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
	Name    string // who or what the key is for; shown to admins only
	Label   string // how the public audit trail names the key's holder; optional
	Role    Role
	Created time.Time
	Revoked *time.Time
}

// Limits on a key's name and label.
const (
	MaxKeyNameLen  = 200
	MaxKeyLabelLen = 80
)

// CheckKeyName validates a key's name (required) and its public label
// (optional): text without control characters, so that neither can forge a
// line of `keys list` or of a log.
func CheckKeyName(name, label string) error {
	check := func(field, s string, required bool, max int) error {
		switch {
		case required && strings.TrimSpace(s) == "":
			return Errorf(EBADINPUT, "a key needs a %s", field)
		case !utf8.ValidString(s):
			return Errorf(EBADINPUT, "the key's %s is not valid UTF-8", field)
		case utf8.RuneCountInString(s) > max:
			return Errorf(EBADINPUT, "the key's %s is longer than %d characters", field, max)
		case strings.ContainsFunc(s, unicode.IsControl):
			return Errorf(EBADINPUT, "the key's %s has a control character", field)
		}
		return nil
	}
	if err := check("name", name, true, MaxKeyNameLen); err != nil {
		return err
	}
	return check("label", label, false, MaxKeyLabelLen)
}

// Principal is who makes a request: an API key's holder.
type Principal struct {
	KeyID string
	Name  string // private: never shown in public answers
	Label string // public, chosen by the key's holder; may be empty
	Role  Role
}

// Actor is how the public audit trail names the principal: the label the
// key's holder chose, or the key's role and id; never the key's private
// name.
func (p *Principal) Actor() string {
	if p.Label != "" {
		return p.Label + " (" + string(p.Role) + ")"
	}
	return string(p.Role) + " key " + p.KeyID
}

// EditorRoles may change claims.
var EditorRoles = []Role{RoleEditor, RoleAdmin}

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

// Authorize returns UNAUTHENTICATED when there is no principal and
// FORBIDDEN when its role is not one of allowed. Services call it first,
// as they check their other rules.
func Authorize(p *Principal, allowed ...Role) error {
	if p == nil {
		return Errorf(EUNAUTHENTICATED, "this needs an API key: send it as 'Authorization: Bearer <key>'")
	}
	if !oneOf(p.Role, allowed) {
		return Errorf(EFORBIDDEN, "a key with role %s may not do this (needs %s)", p.Role, list(allowed))
	}
	return nil
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
	// CreateKey makes a key and returns it whole, once: only its hash is
	// kept. Errors: BAD_USER_INPUT (see CheckKeyName; an unknown role).
	CreateKey(ctx context.Context, name, label string, role Role) (token string, _ *APIKey, _ error)
	// RevokeKey revokes a key by id. Errors: NOT_FOUND.
	RevokeKey(ctx context.Context, id string) error
	// ListKeys lists keys, newest first.
	ListKeys(ctx context.Context) ([]APIKey, error)
	// Authenticate checks a token. Errors: UNAUTHENTICATED (unknown,
	// malformed or revoked key), UNAVAILABLE.
	Authenticate(ctx context.Context, token string) (*Principal, error)
}
