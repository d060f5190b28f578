package apiserver

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// claims are the JWT claims the API issues: the user ID as subject, plus the
// username and workspace.
type claims struct {
	Username    string `json:"username"`
	WorkspaceID string `json:"workspace_id"`
	jwt.RegisteredClaims
}

// tokens signs and verifies HS256 JWTs with one secret. Safe for concurrent use.
type tokens struct {
	secret []byte
	ttl    time.Duration
}

// issue signs a token for u and returns it with its expiry.
func (t tokens) issue(u user, now time.Time) (string, time.Time, error) {
	expires := now.Add(t.ttl)
	c := claims{
		Username:    u.Username,
		WorkspaceID: u.WorkspaceID,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   u.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(expires),
		},
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	return signed, expires, err
}

// verify checks signature, algorithm and expiry, and returns the user ID.
func (t tokens) verify(token string) (string, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired())
	if err != nil {
		return "", err
	}
	if c.Subject == "" {
		return "", errors.New("token has no subject")
	}
	return c.Subject, nil
}
