package runner_test

import (
	"strings"
	"testing"

	"github.com/loadgate/loadgate/runner"
)

// TestParseTarget: a target is read as written, password included, and
// every mistake is named in words, the URL shown with its password
// redacted.
func TestParseTarget(t *testing.T) {
	for raw, want := range map[string]string{
		"http://127.0.0.1:8080":                 "http://127.0.0.1:8080",
		"HTTPS://bob:s3cret@api.example.com/v2": "https://bob:s3cret@api.example.com/v2",
		"https://api.example.com/v2?x=1":        "https://api.example.com/v2?x=1",
		"http://[::1]:9/":                       "http://[::1]:9/",
		"http://bob@host":                       "http://bob@host",
	} {
		u, err := runner.ParseTarget(raw)
		if err != nil || u.String() != want {
			t.Errorf("ParseTarget(%q) = %v, %v; want %s", raw, u, err, want)
		}
	}
	for raw, want := range map[string]string{
		"127.0.0.1:8080":              "127.0.0.1:8080: missing scheme; did you mean http://127.0.0.1:8080?",
		"staging.example.com":         "staging.example.com: missing scheme; did you mean http://staging.example.com?",
		"bob:s3cret@host:80":          "bob:xxxxx@host:80: missing scheme; did you mean http://bob:xxxxx@host:80?",
		"http://":                     "http://: no host",
		"https:":                      "https:: no host",
		"http:/x":                     "http:/x: no host",
		"http://bob:s3cret@:80/":      "http://bob:xxxxx@:80/: no host",
		"ftp://bob:s3cret@127.0.0.1/": `ftp://bob:xxxxx@127.0.0.1/: scheme "ftp" is not supported: use http:// or https://`,
		"http://bob:s3cret@host:abc/": `http://bob:xxxxx@host:abc/: invalid port ":abc" after host`,
		"http://bob:s3%zzcret@host/":  "http://bob:xxxxx@host/: the user name or password holds characters",
		"http://bob:s3cret@ho st/":    `http://bob:xxxxx@ho st/: invalid character " " in host name`,
		"http://bob:s3cret@host/%zz":  `http://bob:xxxxx@host/%zz: invalid URL escape "%zz"`,
		// A password with an unescaped /, ? or # ends the authority early;
		// an @ after it is refused, and everything to the last @ hidden.
		"http://bob:p#ss@127.0.0.1/":       "http://bob:xxxxx@127.0.0.1/: an @ after the host",
		"http://bob:pa/ss@127.0.0.1/":      "http://bob:xxxxx@127.0.0.1/: an @ after the host",
		"http://bob:p?ss@127.0.0.1/":       "http://bob:xxxxx@127.0.0.1/: an @ after the host",
		"ftp://bob:p#ss@127.0.0.1/":        "ftp://bob:xxxxx@127.0.0.1/: scheme",
		"http://bob:s3c@ret@host:1/x?y=@z": "http://bob:xxxxx@z: an @ after the host",
		"http://127.0.0.1:65536":           "http://127.0.0.1:65536: port 65536 is not between 1 and 65535",
		"http://127.0.0.1:0/":              "http://127.0.0.1:0/: port 0 is not between 1 and 65535",
		"//127.0.0.1:9":                    "//127.0.0.1:9: missing scheme; did you mean http://127.0.0.1:9?",
	} {
		_, err := runner.ParseTarget(raw)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseTarget(%q): %v; want an error starting %q", raw, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "s3") && strings.Contains(err.Error(), "cret") {
			t.Errorf("ParseTarget(%q): the error shows the password: %v", raw, err)
		}
	}
}

// FuzzParseTarget: whatever surrounds it, the password of a target is in
// no error and in no redacted URL.
func FuzzParseTarget(f *testing.F) {
	f.Add("http", "s3cret", "127.0.0.1:8080/x")
	f.Add("ftp", "pw", "host")
	f.Add("http", "p%zz", ":abc")
	f.Add("", "pw", "")
	f.Fuzz(func(t *testing.T, scheme, password, rest string) {
		if strings.ContainsAny(scheme, ":/?#@") || strings.ContainsAny(password, "/?#@") {
			return
		}
		password = "Zq" + password // never empty, never in the fixed parts
		if strings.Contains(scheme+rest, password) || strings.Contains("xxxxx", password) {
			return
		}
		raw := scheme + "://bob:" + password + "@" + rest
		u, err := runner.ParseTarget(raw)
		shown := runner.RedactTarget(raw)
		if err != nil {
			shown = err.Error()
		} else if u.User == nil || !strings.Contains(u.String(), "@") {
			t.Fatalf("ParseTarget(%q) lost the user: %v", raw, u)
		} else {
			shown += " " + u.Redacted()
		}
		if strings.Contains(shown, password) {
			t.Fatalf("ParseTarget(%q) shows the password: %s", raw, shown)
		}
	})
}
