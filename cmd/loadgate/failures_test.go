package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// messagesOf reads the totals' failure messages of a result file.
func messagesOf(t *testing.T, path string) []struct {
	Class, Kind, Message string
	Count                int64
} {
	t.Helper()
	var r struct {
		Totals struct {
			Messages []struct {
				Class, Kind, Message string
				Count                int64
			} `json:"messages"`
		} `json:"totals"`
	}
	if err := json.Unmarshal(mustRead(t, path), &r); err != nil {
		t.Fatal(err)
	}
	return r.Totals.Messages
}

// TestTLSFailureSaysWhyEndToEnd: runs against a TLS target whose
// certificate the run does not trust keep the x509 reason in the result
// file and show it in the summary; `report` over two such files adds their
// messages up.
func TestTLSFailureSaysWhyEndToEnd(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the server's own complaint about each handshake
	srv.StartTLS()
	defer srv.Close()
	dir := t.TempDir()
	file := writeFile(t, dir, "get.yaml", "steps:\n  - {name: get, path: /}\n")
	const reason = "x509: certificate signed by unknown authority"
	var outs []string
	for _, n := range []string{"3", "4"} {
		out := filepath.Join(dir, "r"+n+".json")
		code, stdout, stderr := run(t, "run", file, "--target", srv.URL, "-n", n, "--out", out)
		if code == exitUsage || code == exitRunFailed {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(strings.Join(strings.Fields(stdout), " "), "why "+n+" transport/tls: tls: failed to verify certificate: "+reason) {
			t.Errorf("the summary does not say why:\n%s", stdout)
		}
		outs = append(outs, out)
	}
	merged := filepath.Join(dir, "merged.json")
	if code, _, stderr := run(t, "report", outs[0], outs[1], "--out", merged); code == exitUsage || code == exitRunFailed {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	for path, want := range map[string]int64{outs[0]: 3, outs[1]: 4, merged: 7} {
		got := messagesOf(t, path)
		if len(got) != 1 || got[0].Class != "transport" || got[0].Kind != "tls" || got[0].Count != want || !strings.Contains(got[0].Message, reason) {
			t.Errorf("%s: messages %+v, want %d for the unknown authority", filepath.Base(path), got, want)
		}
	}
}

// TestExtractFailureNamesTheVariable: a response without the value a step
// extracts fails with a message naming the variable and the path.
func TestExtractFailureNamesTheVariable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"user":"alice"}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	file := writeFile(t, dir, "flow.yaml", "steps:\n  - name: login\n    path: /login\n    extract: {token: $.token}\n"+
		"  - name: me\n    path: /me\n    headers: {Authorization: 'Bearer {{token}}'}\n")
	out := filepath.Join(dir, "r.json")
	code, stdout, stderr := run(t, "run", file, "--target", srv.URL, "-n", "5", "--out", out)
	if code == exitUsage || code == exitRunFailed {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := messagesOf(t, out)
	if len(got) != 1 || got[0].Class != "extract_failed" || got[0].Message != "token: $.token not found in body" || got[0].Count != 5 {
		t.Errorf("messages %+v", got)
	}
	if !strings.Contains(stdout, "why        5 extract_failed: token: $.token not found in body\n") {
		t.Errorf("the summary does not say why:\n%s", stdout)
	}
}
