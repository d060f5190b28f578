package runner

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestNormalisedMessages: what differs from one request to the next (a
// local port, a pointer, an identifier) is left out or "#"; what tells
// causes apart (a status, the target's port, the reason) stays.
func TestNormalisedMessages(t *testing.T) {
	cases := []struct{ in, want string }{
		{"read tcp 127.0.0.1:50412->127.0.0.1:8080: read: connection reset by peer",
			"read tcp 127.0.0.1:8080: read: connection reset by peer"},
		{"write tcp [::1]:41234->[::1]:443: write: broken pipe", "write tcp [::1]:443: write: broken pipe"},
		{"dial tcp 127.0.0.1:8080: connect: connection refused", "dial tcp 127.0.0.1:8080: connect: connection refused"},
		{"tls: failed to verify certificate: x509: certificate signed by unknown authority",
			"tls: failed to verify certificate: x509: certificate signed by unknown authority"},
		{"conn 0xc000123456 closed", "conn 0x# closed"},
		{"http2: stream 1234567 reset", "http2: stream # reset"},
		{"  two\r\n\tlines \x00 ", "two lines"},
		{"bad \xff byte", "bad ? byte"},
		{"EOF", "the server closed the connection without answering (EOF)"},
		{"unexpected EOF", "the connection closed in the middle of the answer (unexpected EOF)"},
	}
	for _, tc := range cases {
		got, _ := appendErrorMessage(nil, nil, errors.New(tc.in))
		if string(got) != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
	wrapped := &url.Error{Op: "Get", URL: "https://127.0.0.1:8443/users/12", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	if got, _ := appendErrorMessage(nil, nil, wrapped); string(got) != "dial tcp: connection refused" {
		t.Errorf("a url.Error's method and URL stay: %q", got)
	}
	bodies := []struct {
		status int
		body   string
		want   string
	}{
		{503, `{"error":"Service temporarily busy","request_id":"8f0c2d9e-1b7a-4c3e-9d2f-6a5b4c3d2e1f"}`,
			`503 {"error":"Service temporarily busy","request_id":"#"}`},
		{500, "{\n  \"at\": 1732777301,\n  \"n\": 42\n}", `500 { "at": #, "n": 42 }`},
		{401, "", "401"},
		{502, strings.Repeat("é", 200), "502 " + strings.Repeat("é", maxExcerptBytes/2) + "…"},
	}
	for _, tc := range bodies {
		if got := appendStatusMessage(nil, tc.status, []byte(tc.body)); string(got) != tc.want {
			t.Errorf("%d %q: got %q, want %q", tc.status, tc.body, got, tc.want)
		}
	}
}

// FuzzNormalise: a message is one line of valid UTF-8 of bounded length,
// and, unless it was cut short, normalising it again changes nothing.
func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"read tcp 1.2.3.4:5->6.7.8.9:10: x", "0xdeadbeef1", "a\nb", "\xff\xfe", strings.Repeat("ab12cd", 100)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got := appendNormalised(nil, in, maxExcerptBytes)
		if !utf8.Valid(got) || strings.ContainsAny(string(got), "\r\n\t\x00") || len(got) > maxExcerptBytes+len("…") {
			t.Fatalf("%q normalised to %q", in, got)
		}
		if again := appendNormalised(nil, got, maxExcerptBytes); len(got) < maxExcerptBytes && string(again) != string(got) {
			t.Fatalf("%q normalised to %q, then to %q", in, got, again)
		}
	})
}

// TestMessagesBounded: an endpoint keeps MaxMessages messages per class and
// kind, counts each, and, once full, records without allocating; nor does
// making a response's message.
func TestMessagesBounded(t *testing.T) {
	s := NewEndpointStats("x")
	for i := range 3 * MaxMessages {
		for range i + 1 {
			s.Record(Sample{Class: ClassServerError, Status: 500, Message: fmt.Appendf(nil, "500 error %d", i)})
		}
	}
	s.Record(Sample{Class: ClassTransport, Kind: TransportRefused, Message: []byte("refused")})
	s.Record(Sample{Class: ClassTransport, Kind: TransportReset, Message: []byte("reset")})
	if len(s.Messages) != MaxMessages+2 || s.Messages[0].Text != "500 error 0" || s.Messages[0].Count != 1 ||
		s.Messages[MaxMessages-1].Count != MaxMessages {
		t.Errorf("messages %+v", s.Messages)
	}
	kept, other := []byte("500 error 2"), []byte("500 error 99")
	allocs := testing.AllocsPerRun(100, func() {
		s.Record(Sample{Class: ClassServerError, Status: 500, Message: kept})
		s.Record(Sample{Class: ClassServerError, Status: 500, Message: other})
	})
	if allocs != 0 {
		t.Errorf("recording into a full class allocates %v times", allocs)
	}
	body, message := []byte(`{"error":"Service temporarily busy","request_id":"8f0c2d9e-1b7a"}`), []byte(nil)
	allocs = testing.AllocsPerRun(100, func() { message = appendStatusMessage(message[:0], 503, body) })
	if allocs != 0 {
		t.Errorf("a response's message, in a buffer grown already, allocates %v times", allocs)
	}
}

// TestMergedMessages: a merge adds the counts of equal messages and keeps
// the most frequent MaxMessages of each class and kind.
func TestMergedMessages(t *testing.T) {
	a, b := NewEndpointStats("x"), NewEndpointStats("x")
	record := func(s *EndpointStats, text string, n int) {
		for range n {
			s.Record(Sample{Class: ClassUnavailable, Status: 503, Message: []byte(text)})
		}
	}
	record(b, "a0", 5)
	for i := range MaxMessages {
		record(a, fmt.Sprint("a", i), 10)
		record(b, fmt.Sprint("b", i), i+1) // b4 is a sixth message of b: not kept
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range a.Messages {
		texts = append(texts, fmt.Sprintf("%s:%d", m.Text, m.Count))
	}
	if got := strings.Join(texts, " "); got != "a0:15 a1:10 a2:10 a3:10 a4:10" {
		t.Errorf("merged messages %s", got)
	}
	if top := a.TopMessages(1); len(top) != 1 || top[0].Text != "a0" {
		t.Errorf("top message %+v", top)
	}
}
