package resultfile_test

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/loadgate/loadgate/internal/resultfile"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/report"
	"github.com/loadgate/loadgate/runner"
)

// roundTrip writes r, judged by slos, as a result file and reads it back;
// it fails t unless what it read, judged by the SLOs the file names, writes
// the same bytes again. It returns the file and what was read.
func roundTrip(t *testing.T, r *runner.Result, slos ...string) ([]byte, *resultfile.Saved) {
	t.Helper()
	data, err := resultfile.Encode(r, slo.Judge(r, testkit.SLOs(t, slos...)), nil)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := resultfile.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := resultfile.Encode(saved.Result, slo.Judge(saved.Result, testkit.SLOs(t, saved.SLOs...)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Errorf("read back and written again, the result differs:\n%s\nwant\n%s", again, data)
	}
	return data, saved
}

// TestResultRoundTrip: a result file read back renders to the same bytes.
func TestResultRoundTrip(t *testing.T) {
	roundTrip(t, testkit.Result(), "p95<50ms", "lock_timeouts==0")
}

// TestCoresRoundTrip: the cores a run could use, of its machine's, read
// back as written; a file without them reads as not known.
func TestCoresRoundTrip(t *testing.T) {
	r := testkit.Result()
	r.CPUs, r.MachineCPUs = 1, 2
	data, saved := roundTrip(t, r)
	if got := saved.Result; got.CPUs != 1 || got.MachineCPUs != 2 {
		t.Errorf("read back %d of %d cores, want 1 of 2", got.CPUs, got.MachineCPUs)
	}
	older := strings.Replace(strings.Replace(string(data), `"cpus": 1,`, "", 1), `"machine_cpus": 2,`, "", 1)
	saved, err := resultfile.Read([]byte(older))
	if err != nil || saved.Result.CPUs != 0 || saved.Result.MachineCPUs != 0 {
		t.Errorf("a file without cores: %v, read %d of %d", err, saved.Result.CPUs, saved.Result.MachineCPUs)
	}
}

// TestShardRoundTrip: a shard's part of the load, its run's identity and
// start time read back as written; a file without them reads as a whole
// run of no known identity.
func TestShardRoundTrip(t *testing.T) {
	r := testkit.Result()
	r.Load.Shard = runner.Shard{Index: 1, Count: 3}
	r.Identity = runner.Identity{RunID: "r1", PlanDigest: "d1", StartAt: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	data, saved := roundTrip(t, r)
	if got := saved.Result; got.Load.Shard != r.Load.Shard || got.Identity != r.Identity {
		t.Errorf("read back shard %v, identity %+v; want %v, %+v", got.Load.Shard, got.Identity, r.Load.Shard, r.Identity)
	}
	for _, field := range []string{`"shard": {"index": 1, "count": 3},`, `"start_at": "2026-11-28T12:00:00Z",`, `"run_id": "r1",`, `"plan_digest": "d1",`} {
		if !strings.Contains(compact(data), compact([]byte(field))) {
			t.Errorf("the file lacks %s:\n%s", field, data)
		}
	}
}

// compact is data without its spaces and line breaks.
func compact(data []byte) string {
	return strings.NewReplacer(" ", "", "\n", "", "\t", "").Replace(string(data))
}

// TestOpenRoundTrip: an open run's drops by cause, iterations and
// generator lateness read back as written; a file written before them
// reads with them zero and no lateness.
func TestOpenRoundTrip(t *testing.T) {
	data, err := resultfile.Encode(testkit.OpenResult(3), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := resultfile.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	r := saved.Result
	if again, _ := resultfile.Encode(r, nil, nil); !bytes.Equal(data, again) {
		t.Errorf("read back and written again, the result differs:\n%s\nwant\n%s", again, data)
	}
	if r.Dropped != 8 || r.DroppedNoWorker != 5 || r.DroppedBehind != 3 || r.Iterations != 100 ||
		r.Lateness == nil || r.Lateness.TotalCount() != 100 || !r.GeneratorLimited() {
		t.Errorf("read back: dropped %d (%d no worker, %d behind), %d iterations, lateness %v, generator limited %v",
			r.Dropped, r.DroppedNoWorker, r.DroppedBehind, r.Iterations, r.Lateness, r.GeneratorLimited())
	}
	var doc map[string]any
	json.Unmarshal(data, &doc)
	totals := doc["totals"].(map[string]any)
	// 100 iterations over the schedule of its 108 arrivals at 10 a second.
	if rate, _ := totals["iteration_rate"].(float64); math.Abs(rate-100/10.8) > 1e-9 || totals["generator_limited"] != true || totals["dropped_behind"] != 3.0 {
		t.Errorf("totals: iteration_rate %v, generator_limited %v, dropped_behind %v; want 9.26, true, 3",
			totals["iteration_rate"], totals["generator_limited"], totals["dropped_behind"])
	}
	for _, field := range []string{"dropped_no_worker", "dropped_behind", "iterations", "iteration_rate",
		"generator_lateness_ms", "generator_lateness_histogram", "generator_limited"} {
		delete(totals, field)
	}
	older, _ := json.Marshal(doc)
	saved, err = resultfile.Read(older)
	if err != nil {
		t.Fatal(err)
	}
	if r := saved.Result; r.Dropped != 8 || r.DroppedNoWorker != 0 || r.DroppedBehind != 0 || r.Iterations != 0 || r.Lateness != nil {
		t.Errorf("a file without the new fields: dropped %d (%d, %d), %d iterations, lateness %v; want 8 (0, 0), 0, none",
			r.Dropped, r.DroppedNoWorker, r.DroppedBehind, r.Iterations, r.Lateness)
	}
}

// TestConnectionsRoundTrip: a result whose requests made connections, over
// HTTP/2, read back renders to the same bytes, with its connections (and
// http2 at the top only); one without (as written before connections were
// recorded) has none.
func TestConnectionsRoundTrip(t *testing.T) {
	data, saved := roundTrip(t, testkit.ResultWithConnections(98, true))
	c := saved.Result.Total.Connections
	if !saved.Result.HTTP2 || c == nil || c.Made() != 98 || c.Handshakes() != 98 || c.Resumed != 94 {
		t.Errorf("read back: http2 %v, connections %+v", saved.Result.HTTP2, c)
	}
	var doc struct {
		HTTP2  bool `json:"http2"`
		Totals struct {
			Connections map[string]any `json:"connections"`
			HTTP2       *bool          `json:"http2"`
		} `json:"totals"`
	}
	json.Unmarshal(data, &doc)
	if !doc.HTTP2 || doc.Totals.HTTP2 != nil {
		t.Errorf("http2 %v, totals.http2 %v; want true at the top, none in the totals", doc.HTTP2, doc.Totals.HTTP2)
	}
	if doc.Totals.Connections["made"] != 98.0 || doc.Totals.Connections["tls_resumed"] != 94.0 {
		t.Errorf("totals.connections %v; want 98 made, 94 resumed", doc.Totals.Connections)
	}
	data, _ = resultfile.Encode(testkit.Result(), nil, nil)
	if strings.Contains(string(data), `"connections"`) {
		t.Errorf("a result without connections writes some")
	}
	if saved, err := resultfile.Read(data); err != nil || saved.Result.Total.Connections != nil || saved.Result.HTTP2 {
		t.Errorf("read back: %v, connections %+v, http2 %v; want none", err, saved.Result.Total.Connections, saved.Result.HTTP2)
	}
}

// mergedResult merges two 4-second runs an hour apart.
func mergedResult(t *testing.T) *runner.Result {
	t.Helper()
	merged, err := runner.MergeResults(testkit.TimedRun(0, 4*time.Second, 1, 0, time.Second), testkit.TimedRun(time.Hour, 4*time.Second, 1, 0, 3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return merged
}

// TestMergedRoundTrip: a merged result file lists its runs, and read back
// renders to the same bytes, its active time that of its runs.
func TestMergedRoundTrip(t *testing.T) {
	_, saved := roundTrip(t, mergedResult(t))
	if len(saved.Result.Parts) != 2 || saved.Result.ActiveTime() != 8*time.Second {
		t.Errorf("read back: %d runs, active %s", len(saved.Result.Parts), saved.Result.ActiveTime())
	}
}

// openShards are the two shards of an open run of 10 arrivals a second
// for 4 s, the second starting 1 ms later: each had its 20 arrivals, and
// sent 2.
func openShards() []*runner.Result {
	var shards []*runner.Result
	for i := range 2 {
		r := testkit.TimedRun(time.Duration(i)*time.Millisecond, 4*time.Second, 1, 0, time.Second)
		r.Load = runner.Load{Open: true, Rate: 10, MaxWorkers: 8, Duration: 4 * time.Second, Shard: runner.Shard{Index: i, Count: 2}}
		r.Identity = runner.Identity{RunID: "r1", PlanDigest: "d1"}
		r.Arrivals, r.Dropped, r.DroppedNoWorker, r.Iterations = 20, 18, 18, 2
		shards = append(shards, r)
	}
	return shards
}

// mergedShards merges openShards.
func mergedShards(t *testing.T) *runner.Result {
	t.Helper()
	merged, err := runner.MergeResults(openShards()...)
	if err != nil {
		t.Fatal(err)
	}
	return merged
}

// TestMergedShardsRoundTrip: a merge of a run's shards records each run's
// shard, reads it back, and so asks for the whole load's 10 arrivals a
// second, not each shard's part as the whole load's (20).
func TestMergedShardsRoundTrip(t *testing.T) {
	data, saved := roundTrip(t, mergedShards(t))
	for _, field := range []string{`"shard": {"index": 0, "count": 2}`, `"shard": {"index": 1, "count": 2}`} {
		if !strings.Contains(compact(data), compact([]byte(field))) {
			t.Errorf("the file's runs lack %s:\n%s", field, data)
		}
	}
	if got := saved.Result.TargetRate(); got < 9.9 || got > 10.1 {
		t.Errorf("read back, the merge's target is %g/s; want 10", got)
	}
}

// TestReadRefuses: files that are not results, or contradict
// themselves, or hold histograms of another geometry, are refused with a
// reason.
func TestReadRefuses(t *testing.T) {
	data, _ := resultfile.Encode(testkit.Result(), nil, nil)
	good := string(data)
	cases := map[string]string{
		"not JSON":        "hello",
		"other schema":    strings.Replace(good, `"loadgate.result/v1"`, `"k6"`, 1),
		"counts mismatch": strings.Replace(good, `"ok": 90`, `"ok": 91`, 1),
		"bad histogram":   strings.Replace(good, `"histogram": "HIST`, `"histogram": "XIST`, 1),
		"other geometry":  strings.Replace(good, `"histogram": "`, `"histogram": "HISTFAAAACF4nJNpmSzMwMDAxwABMJoRTDNBaSYGBgAUxgEX`+`",  "x": "`, 1),
		"unknown class":   strings.Replace(good, `"class_names": [`, `"class_names": ["oops", `, 1),
	}
	data, _ = resultfile.Encode(testkit.ResultWithConnections(98, false), nil, nil)
	cases["totals' connections that are not the endpoints'"] = strings.Replace(string(data), `"made": 98`, `"made": 97`, 1)
	cases["connections that do not add up"] = strings.Replace(string(data), `"made": 98`, `"made": 97`, 2)
	cases["more resumed than handshakes"] = strings.Replace(string(data), `"tls_resumed": 94`, `"tls_resumed": 99`, 2)
	data, _ = resultfile.Encode(testkit.ResultWithConnections(0, false), nil, nil)
	cases["connections of which none was made"] = string(data)
	more := testkit.ResultWithConnections(98, false)
	more.Endpoint("login").Connections.Handshake.RecordValue(2000)
	more.Total, _ = runner.TotalOf(more.Endpoints)
	data, _ = resultfile.Encode(more, nil, nil)
	cases["more handshakes than connections"] = string(data)
	cores := testkit.Result()
	cores.CPUs, cores.MachineCPUs = 1, 2
	data, _ = resultfile.Encode(cores, nil, nil)
	cases["cores of an unknown machine"] = strings.Replace(string(data), `"machine_cpus": 2`, `"machine_cpus": 0`, 1)
	cases["negative cores"] = strings.Replace(string(data), `"cpus": 1`, `"cpus": -1`, 1)
	cases["a run id of two lines"] = strings.Replace(string(data), `"run_id": ""`, `"run_id": "a\nb"`, 1)
	cases["a shard that does not exist"] = strings.Replace(string(data), `"cpus": 1,`, `"cpus": 1, "shard": {"index": 3, "count": 3},`, 1)
	data, _ = resultfile.Encode(testkit.OpenResult(0), nil, nil)
	cases["drops by cause that are not the drops"] = strings.Replace(string(data), `"dropped_behind": 0`, `"dropped_behind": 1`, 1)
	cases["negative iterations"] = strings.Replace(string(data), `"iterations": 100`, `"iterations": -1`, 1)
	cases["a lateness of another geometry"] = strings.Replace(string(data), `"generator_lateness_histogram": "`, `"generator_lateness_histogram": "HISTFAAAACF4nJNpmSzMwMDAxwABMJoRTDNBaSYGBgAUxgEX`+`",  "x": "`, 1)
	data, _ = resultfile.Encode(mergedResult(t), nil, nil)
	for name, change := range map[string]func(run map[string]any){
		"runs that do not add up": func(run map[string]any) { run["requests"] = run["requests"].(float64) - 1 },
		"a run out of the span":   func(run map[string]any) { run["started_at"] = "2001-01-01T00:00:00Z" },
		"a run's shard that does not exist": func(run map[string]any) {
			run["shard"] = map[string]any{"index": 5, "count": 2}
		},
	} {
		var doc map[string]any
		json.Unmarshal(data, &doc)
		change(doc["runs"].([]any)[0].(map[string]any))
		changed, _ := json.Marshal(doc)
		cases[name] = string(changed)
	}
	for name, doc := range cases {
		if _, err := resultfile.Read([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestReadNamesMissingField: a file that lacks a field every result
// has, or holds it as null, is refused by the field's name.
func TestReadNamesMissingField(t *testing.T) {
	data, _ := resultfile.Encode(testkit.Result(), nil, nil)
	for _, field := range []string{"scenario", "target", "started_at", "ended_at", "load", "totals", "endpoints", "load.model"} {
		for _, null := range []bool{false, true} {
			var doc map[string]any
			json.Unmarshal(data, &doc)
			in, key := doc, field
			if parent, child, ok := strings.Cut(field, "."); ok {
				in, key = doc[parent].(map[string]any), child
			}
			delete(in, key)
			if null {
				in[key] = nil
			}
			changed, _ := json.Marshal(doc)
			_, err := resultfile.Read(changed)
			if want := `the required field "` + field + `" is missing`; err == nil || err.Error() != want {
				t.Errorf("%s removed (null %v): %v; want %q", field, null, err, want)
			}
		}
	}
	if _, err := resultfile.Read([]byte(`{"schema":"loadgate.result/v1"}`)); err == nil || !strings.Contains(err.Error(), `"scenario"`) {
		t.Errorf("a file of a schema alone: %v", err)
	}
}

// TestReadChecksValues: a file whose values no run could have written
// is refused, naming the value; a password in its target is never shown.
func TestReadChecksValues(t *testing.T) {
	data, _ := resultfile.Encode(testkit.Result(), nil, nil)
	edit := func(change func(doc map[string]any)) []byte {
		var doc map[string]any
		json.Unmarshal(data, &doc)
		change(doc)
		changed, _ := json.Marshal(doc)
		return changed
	}
	load := func(doc map[string]any) map[string]any { return doc["load"].(map[string]any) }
	for want, changed := range map[string][]byte{
		`load.model "weird"`:         edit(func(doc map[string]any) { load(doc)["model"] = "weird" }),
		"a count or a rate below 0":  edit(func(doc map[string]any) { load(doc)["concurrency"] = -3 }),
		"holds a control character":  edit(func(doc map[string]any) { doc["scenario"] = "a\nFAKE PASS" }),
		"holds a control character ": edit(func(doc map[string]any) { doc["scenario"] = "a\x1b[2J" }),
	} {
		if _, err := resultfile.Read(changed); err == nil || !strings.Contains(err.Error(), strings.TrimSpace(want)) {
			t.Errorf("%s: %v", want, err)
		}
	}
	_, err := resultfile.Read(edit(func(doc map[string]any) { doc["totals"].(map[string]any)["requests"] = "2" }))
	if want := "totals.requests holds a string where a number belongs"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a count as a string: %v; want %q", err, want)
	}
	saved, err := resultfile.Read(edit(func(doc map[string]any) { doc["target"] = "https://bob:s3cret@api.example.com/" }))
	if err != nil || saved.Result.Target != "https://bob:xxxxx@api.example.com/" {
		t.Errorf("target %q (%v); want the password hidden", saved.Result.Target, err)
	}
}

// TestReadChecksDropRelations: iterations, arrivals, drops and the
// generator's lateness that no run could have written are refused.
func TestReadChecksDropRelations(t *testing.T) {
	open, _ := resultfile.Encode(testkit.OpenResult(3), nil, nil)
	closed, _ := resultfile.Encode(testkit.Result(), nil, nil)
	edit := func(data []byte, change func(totals map[string]any)) []byte {
		var doc map[string]any
		json.Unmarshal(data, &doc)
		change(doc["totals"].(map[string]any))
		changed, _ := json.Marshal(doc)
		return changed
	}
	var doc struct {
		Totals struct {
			Lateness string `json:"generator_lateness_histogram"`
		} `json:"totals"`
	}
	if err := json.Unmarshal(open, &doc); err != nil || doc.Totals.Lateness == "" {
		t.Fatalf("the open fixture has no generator_lateness_histogram (%v)", err)
	}
	for want, changed := range map[string][]byte{
		"more than the":             edit(closed, func(totals map[string]any) { totals["iterations"] = 1000 }),
		"less 8 dropped are 100":    edit(open, func(totals map[string]any) { totals["iterations"] = 99 }),
		"more than the 60 arrivals": edit(open, func(totals map[string]any) { totals["arrivals"] = 60 }),
		"in the closed model":       edit(closed, func(totals map[string]any) { totals["generator_lateness_histogram"] = doc.Totals.Lateness }),
	} {
		if _, err := resultfile.Read(changed); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
	older := edit(open, func(totals map[string]any) {
		totals["iterations"], totals["dropped_no_worker"], totals["dropped_behind"] = 0, 0, 0
	})
	if _, err := resultfile.Read(older); err != nil {
		t.Errorf("a file older than the iterations and the drop causes: %v", err)
	}
}

// TestRetriesRoundTrip: retries, first attempts and the SLOs on them read
// back as written; first attempts that no run could have counted are
// refused; a file older than the counts reads, its SLOs on them without
// samples.
func TestRetriesRoundTrip(t *testing.T) {
	data, saved := roundTrip(t, testkit.ResultWithRetries(), "retries<=8", "login.first_attempt.error_rate<5%")
	if login := saved.Result.Endpoint("login"); login.Retries != 8 || login.FirstAttemptErrors() != 10 || !login.AttemptsKnown() {
		t.Errorf("read back: %d retries, %d first-attempt errors, known %v; want 8, 10, true", login.Retries, login.FirstAttemptErrors(), login.AttemptsKnown())
	}
	edit := func(change func(login map[string]any)) []byte {
		var doc map[string]any
		json.Unmarshal(data, &doc)
		change(doc["endpoints"].(map[string]any)["login"].(map[string]any))
		changed, _ := json.Marshal(doc)
		return changed
	}
	first := func(login map[string]any) map[string]any { return login["first_attempt"].(map[string]any) }
	for want, changed := range map[string][]byte{
		"first_attempt says 100 requests, 91 ok": edit(func(login map[string]any) { first(login)["ok"] = 91 }),
		"more than the 108 requests":             edit(func(login map[string]any) { login["retries"] = 9 }),
		"first_attempt.classes.unavailable is 7, more than the class's 5 requests": edit(func(login map[string]any) {
			classes := first(login)["classes"].(map[string]any)
			classes["unavailable"], classes["ok"], first(login)["ok"], first(login)["errors"] = 7, 86, 86, 14
		}),
	} {
		if _, err := resultfile.Read(changed); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
	older := edit(func(login map[string]any) { delete(login, "retries"); delete(login, "first_attempt") })
	read, err := resultfile.Read(older)
	if err != nil {
		t.Fatalf("a file older than the retries and first attempts: %v", err)
	}
	for _, v := range slo.Judge(read.Result, testkit.SLOs(t, "retries==0", "login.first_attempt.errors>=0", "errors==12")) {
		if want := v.SLO.Metric != "errors"; v.NoSamples != want || v.Pass == want {
			t.Errorf("%s on an older file: pass %v, no samples %v (%s)", v.SLO.Expr, v.Pass, v.NoSamples, v.Reason)
		}
	}
}

// FuzzRead: no file makes the reader panic; one it accepts renders.
func FuzzRead(f *testing.F) {
	data, _ := resultfile.Encode(testkit.Result(), nil, nil)
	f.Add(data)
	merged, _ := runner.MergeResults(testkit.TimedRun(0, 4*time.Second, 1, 0, time.Second), testkit.TimedRun(time.Hour, 4*time.Second, 1, 0, 3*time.Second))
	data, _ = resultfile.Encode(merged, nil, nil)
	f.Add(data)
	data, _ = resultfile.Encode(testkit.ResultWithMessages(), nil, nil)
	f.Add(data)
	data, _ = resultfile.Encode(testkit.ResultWithConnectFailures(), nil, nil)
	f.Add(data)
	data, _ = resultfile.Encode(testkit.ResultWithConnections(98, true), nil, nil)
	f.Add(data)
	data, _ = resultfile.Encode(testkit.OpenResult(3), nil, nil)
	f.Add(data)
	shards, _ := runner.MergeResults(openShards()...)
	data, _ = resultfile.Encode(shards, nil, nil)
	f.Add(data)
	data, _ = resultfile.Encode(testkit.ResultWithRetries(), nil, nil)
	f.Add(data)
	withSetup := sessionRun()
	withSetup.Setup = &runner.SetupReport{Users: 2, Done: 2, Requests: 3, Status: map[int]int64{200: 2, 429: 1}, Retries: 1, RemoteUsers: 2, NamePrefix: "lg-"}
	data, _ = resultfile.Encode(withSetup, nil, nil)
	f.Add(data)
	data, _ = resultfile.Encode(testkit.ResultWithServer(), nil, nil)
	f.Add(data)
	f.Add([]byte(`{"schema":"loadgate.result/v1","scenario":"s","target":"","started_at":"2026-01-01T00:00:00Z","ended_at":"2026-01-01T00:00:01Z",` +
		`"load":{"model":"closed"},"totals":{},"endpoints":{"a":{}},"class_names":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		saved, err := resultfile.Read(data)
		if err != nil {
			return
		}
		verdicts := slo.Judge(saved.Result, testkit.SLOs(t, "p95<1s", "errors==0", "retries<1%", "first_attempt.error_rate<1%"))
		for name, render := range map[string]func(io.Writer, *runner.Result, []slo.Verdict) error{
			"JSON": func(w io.Writer, r *runner.Result, v []slo.Verdict) error {
				_, err := resultfile.Encode(r, v, nil)
				return err
			},
			"text": report.Text, "JUnit": report.JUnit, "Markdown": report.Markdown, "HTML": report.HTML,
		} {
			if err := render(io.Discard, saved.Result, verdicts); err != nil {
				t.Fatalf("an accepted file does not render as %s: %v", name, err)
			}
		}
	})
}

// TestTLSUnverifiedRoundTrip: a run whose target's certificate was not
// verified says so in its file and reads back so; a file without the field
// reads as verified.
func TestTLSUnverifiedRoundTrip(t *testing.T) {
	r := *testkit.Result()
	r.TLSUnverified = true
	data, err := resultfile.Encode(&r, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["tls_unverified"] != true {
		t.Errorf("tls_unverified %v, want true", doc["tls_unverified"])
	}
	saved, err := resultfile.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if !saved.Result.TLSUnverified {
		t.Error("read back, the result is verified")
	}
	delete(doc, "tls_unverified")
	without, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if saved, err := resultfile.Read(without); err != nil || saved.Result.TLSUnverified {
		t.Errorf("without the field: %v, unverified %v; want it read as verified", err, err == nil && saved.Result.TLSUnverified)
	}
}
