package runner

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ParseTarget reads the base URL of the API under test as a user wrote it:
// http:// or https:// and a host, with an optional port, path and user
// information. Its errors start with the URL as RedactTarget shows it (a
// password is never in them) and say what is wrong in words: a missing
// scheme (with the URL it may have meant), another scheme, no host, or
// what the URL parser could not read.
func ParseTarget(raw string) (*url.URL, error) {
	shown := RedactTarget(raw)
	scheme, rest, found := strings.Cut(raw, "://")
	if !found {
		lower := strings.ToLower(raw)
		if strings.HasPrefix(lower, "http:") || strings.HasPrefix(lower, "https:") {
			return nil, fmt.Errorf("%s: no host", shown)
		}
		return nil, fmt.Errorf("%s: missing scheme; did you mean http://%s?", shown, strings.TrimLeft(shown, "/"))
	}
	if s := strings.ToLower(scheme); s != "http" && s != "https" {
		return nil, fmt.Errorf("%s: scheme %q is not supported: use http:// or https://", shown, scheme)
	}
	authority, after := cutAuthority(rest)
	if strings.Contains(after, "@") {
		// A password with a /, ? or # in it cuts the authority short; the
		// parser would then quote pieces of it.
		return nil, fmt.Errorf("%s: an @ after the host: if it ends a user name or password, write their /, ?, # and @ %%XX-escaped (%%2F, %%3F, %%23, %%40)", shown)
	}
	userinfo, host, hasUser := cutUserinfo(authority)
	// The parser's errors quote what they could not read: it never sees
	// the user information, which is parsed apart.
	u, err := url.Parse(scheme + "://" + host + after)
	if err != nil {
		var parseErr *url.Error
		if errors.As(err, &parseErr) {
			err = parseErr.Err
		}
		return nil, fmt.Errorf("%s: %v", shown, err)
	}
	if hasUser {
		withUser, err := url.Parse("http://" + userinfo + "@host")
		if err != nil {
			return nil, fmt.Errorf("%s: the user name or password holds characters a URL cannot: write them %%XX-escaped", shown)
		}
		u.User = withUser.User
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%s: no host", shown)
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%s: port %s is not between 1 and 65535", shown, port)
		}
	}
	return u, nil
}

// CheckTarget reports a target that is not an http:// or https:// URL with
// a host. The error starts with the URL, its password redacted.
func CheckTarget(u *url.URL) error {
	switch {
	case u == nil:
		return errors.New("no target")
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%s: scheme %q is not supported: use http:// or https://", u.Redacted(), u.Scheme)
	case u.Hostname() == "":
		return fmt.Errorf("%s: no host", u.Redacted())
	}
	return nil
}

// RedactTarget returns raw, a URL as a user wrote it and perhaps not a
// valid one, with the password in its user information (if any) replaced
// by "xxxxx", as url.URL.Redacted does for a parsed URL. A password may hold
// characters that end an authority (/, ?, #) when a user did not escape
// them, so everything from the first : to the last @ is taken as one:
// rather too much hidden than a password shown.
func RedactTarget(raw string) string {
	prefix, rest := "", raw
	if i := strings.Index(raw, "://"); i >= 0 {
		prefix, rest = raw[:i+3], raw[i+3:]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return raw
	}
	return prefix + user + ":xxxxx" + rest[at:]
}

// cutAuthority splits what follows a URL's "://" into its authority and
// the rest (path, query and fragment), which starts at the first /, ? or #.
func cutAuthority(s string) (authority, rest string) {
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// cutUserinfo splits an authority at its last @, as url.Parse does.
func cutUserinfo(authority string) (userinfo, host string, found bool) {
	i := strings.LastIndex(authority, "@")
	if i < 0 {
		return "", authority, false
	}
	return authority[:i], authority[i+1:], true
}
