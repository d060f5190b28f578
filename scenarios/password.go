package scenarios

import (
	"crypto/rand"
	"math/big"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// passwordRules say what a generated password holds: length characters
// of the required kinds (of every kind when none is required), at least one
// of each.
type passwordRules struct {
	length  int
	require []string // of passwordKinds' names
}

// passwordKinds are the kinds of character a rule can require.
var passwordKinds = map[string]string{
	"lower":  "abcdefghijkmnopqrstuvwxyz",
	"upper":  "ABCDEFGHJKLMNPQRSTUVWXYZ",
	"digit":  "23456789",
	"symbol": "!#%*+-=?@^_",
}

var kindNames = []string{"lower", "upper", "digit", "symbol"}

// defaultPasswordRules meet the reference API's rules, and most others.
var defaultPasswordRules = passwordRules{length: 16, require: kindNames}

// passwordRules reads {length, require: [lower, upper, digit, symbol]}.
func (p *parser) passwordRules(n *yaml.Node) passwordRules {
	r := defaultPasswordRules
	f := p.fields(n, "users.register.password", "length", "require")
	if f == nil {
		return r
	}
	if v := f["length"]; v != nil {
		l, _ := p.integer(v, "users.register.password.length", 4, 72)
		r.length = int(l)
	}
	if v := f["require"]; v != nil {
		kinds, _ := p.strs(v, "users.register.password.require")
		r.require = nil
		for _, k := range kinds {
			if !slices.Contains(kindNames, k) {
				p.at(v, 0, "users.register.password.require: %q is not one of %s", k, strings.Join(kindNames, ", "))
			} else if !slices.Contains(r.require, k) {
				r.require = append(r.require, k)
			}
		}
		if len(r.require) > r.length {
			p.at(v, 0, "users.register.password: %d required kinds do not fit in %d characters", len(r.require), r.length)
		}
	}
	return r
}

// generate returns a new random password that meets r.
func (r passwordRules) generate() string {
	alphabet := ""
	for _, k := range r.require {
		alphabet += passwordKinds[k]
	}
	if alphabet == "" {
		for _, k := range kindNames {
			alphabet += passwordKinds[k]
		}
	}
	out := make([]byte, r.length)
	for i := range out {
		kind := alphabet
		if i < len(r.require) {
			kind = passwordKinds[r.require[i]]
		}
		out[i] = kind[randomBelow(len(kind))]
	}
	for i := len(out) - 1; i > 0; i-- { // the required kinds anywhere
		j := randomBelow(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func randomBelow(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return int(v.Int64())
}
