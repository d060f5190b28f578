package main

import (
	"net/http"
	"strings"

	"github.com/spf13/pflag"
)

// checkRequestIDHeader refuses a --request-id-header that is given empty,
// is not a header name (an HTTP token), or names a header the client
// frames the request with.
func checkRequestIDHeader(fs *pflag.FlagSet, name string) error {
	switch {
	case name == "" && fs.Changed("request-id-header"):
		return usagef("--request-id-header is empty: give a header name such as X-Request-Id, or leave the flag out")
	case name == "":
		return nil
	case strings.IndexFunc(name, func(c rune) bool { return !isTokenChar(c) }) >= 0:
		return usagef("--request-id-header %q is not a header name: letters, digits and !#$%%&'*+-.^_`|~ only", name)
	}
	switch http.CanonicalHeaderKey(name) {
	case "Host", "Content-Length", "Transfer-Encoding", "Connection":
		return usagef("--request-id-header %s: the client sets that header itself; name another, such as X-Request-Id", name)
	}
	return nil
}

// isTokenChar reports whether c may be in an HTTP token (RFC 9110 5.6.2).
func isTokenChar(c rune) bool {
	return c < 0x7f && (c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.ContainsRune("!#$%&'*+-.^_`|~", c))
}
