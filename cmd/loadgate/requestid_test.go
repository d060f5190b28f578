package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/apiserver"
	"github.com/loadgate/loadgate/internal/testkit"
)

// TestRequestIDsLinkTheTwoSides runs a contended load with
// --request-id-header against the reference API, which takes the header as
// its trace ID: every attempt has an ID of its own in --raw, the failed
// ones are exactly the trace IDs of the server's failure records, and the
// result's failure messages name one of them. Over HTTP/1.1 (the
// worker's own connection) and HTTP/2 (net/http).
func TestRequestIDsLinkTheTwoSides(t *testing.T) {
	for _, protocol := range []string{"http1", "http2"} {
		t.Run(protocol, func(t *testing.T) { testRequestIDs(t, protocol == "http2") })
	}
}

func testRequestIDs(t *testing.T, http2 bool) {
	dir := t.TempDir()
	var log testkit.Buffer
	in, err := apiserver.Start(apiserver.Config{BcryptCost: 8, HashUnderLock: true,
		LockTimeout: 20 * time.Millisecond, LockSpin: time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Shutdown(t.Context()) })
	raw, result := filepath.Join(dir, "raw.csv"), filepath.Join(dir, "result.json")
	args := []string{"run", "smoke", "--target", in.URL(), "-c", "8", "-n", "48", "--pause", "0",
		"--request-id-header", "x-request-id", "--raw", raw, "--out", result, "--no-progress"}
	if http2 {
		args = append(args, "--http2")
	}
	code, stdout, stderr := run(t, args...)
	if code != exitOK && code != exitSLOFailed {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}

	f, err := os.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if last := rows[0][len(rows[0])-1]; last != "request_id" {
		t.Fatalf("raw header %v: no request_id column", rows[0])
	}
	seen := map[string]bool{}
	var failed []string
	for _, row := range rows[1:] {
		id := row[len(row)-1]
		if id == "" || seen[id] {
			t.Fatalf("request id %q empty or twice", id)
		}
		seen[id] = true
		if row[3] != "ok" {
			failed = append(failed, id)
		}
	}
	if len(failed) == 0 {
		t.Fatal("no request failed: the load was not contended")
	}

	var logged []string
	lines := bufio.NewScanner(strings.NewReader(log.String()))
	for lines.Scan() {
		var rec struct {
			Msg     string `json:"msg"`
			TraceID string `json:"trace_id"`
		}
		if err := json.Unmarshal(lines.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Msg == "request failed" {
			logged = append(logged, rec.TraceID)
		}
	}
	slices.Sort(failed)
	slices.Sort(logged)
	if !slices.Equal(failed, logged) {
		t.Errorf("%d failed requests in --raw, %d failure records in the server's log: want the same IDs\nraw %v\nlog %v",
			len(failed), len(logged), failed, logged)
	}

	data, err := os.ReadFile(result)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Totals struct {
			Messages []struct {
				RequestID string `json:"request_id"`
			} `json:"messages"`
		} `json:"totals"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Totals.Messages) == 0 || !slices.Contains(failed, doc.Totals.Messages[0].RequestID) {
		t.Errorf("messages %+v: want the first failed request's ID", doc.Totals.Messages)
	}
	if !strings.Contains(stdout, "(first: request ") {
		t.Errorf("the summary's why line names no request:\n%s", stdout)
	}
	code, _, stderr = run(t, "report", result)
	if code != exitOK && code != exitSLOFailed {
		t.Errorf("report reads the file back: exit %d %s", code, stderr)
	}
}

func TestRequestIDHeaderUsage(t *testing.T) {
	for value, want := range map[string]string{
		"":               "--request-id-header is empty",
		"X Request":      `--request-id-header "X Request" is not a header name`,
		"content-length": "--request-id-header content-length: the client sets that header itself",
	} {
		code, _, stderr := run(t, "run", "smoke", "--request-id-header", value, "-n", "1")
		if code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("%q: exit %d, want 2 saying %q: %s", value, code, want, stderr)
		}
	}
}
