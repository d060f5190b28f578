package kubejob

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// FuzzScenarioRoundTrip: whatever the scenario file holds, the ConfigMap
// gives it back byte for byte (as text, or base64 when it is not UTF-8).
func FuzzScenarioRoundTrip(f *testing.F) {
	for _, seed := range []string{"name: x\n", "a: |\n  trailing  \n\tTAB\r\n", "\ufeffBOM", "\x00\x85\u2028", "---\n...\n", "\xff\xfe"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := Run{ID: "fuzz", Image: "loadgate:fuzz", Shards: 2, StartAt: time.Unix(0, 0), MaxLate: time.Second,
			Scenario: File{Name: "s.yaml", Data: data}, Deadline: time.Hour, TTL: time.Hour, ResultsSize: "1Gi"}
		out, err := r.ShardManifests()
		if err != nil {
			t.Fatal(err)
		}
		var cm configMap
		if err := yaml.NewDecoder(bytes.NewReader(out)).Decode(&cm); err != nil {
			t.Fatalf("the ConfigMap does not parse: %v\n%s", err, out)
		}
		got := []byte(cm.Data["s.yaml"])
		if text, ok := cm.BinaryData["s.yaml"]; ok {
			if got, err = base64.StdEncoding.DecodeString(text); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(got, data) {
			t.Errorf("the ConfigMap gives back %q, not %q", got, data)
		}
	})
}

func TestCheckImage(t *testing.T) {
	digest := "@sha256:" + strings.Repeat("ab", 32)
	for _, ok := range []string{"loadgate", "loadgate:e2e", "ghcr.io/loadgate/loadgate:latest", "registry.example:5000/team/load-gate_x:1.4",
		"localhost:5000/loadgate", "loadgate" + digest, "loadgate:1.4" + digest, "a/b/c__d.e--f"} {
		if err := CheckImage(ok); err != nil {
			t.Errorf("CheckImage(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Loadgate", "load gate", ":tag", "loadgate:", "loadgate/", "-loadgate", "loadgate@sha256:abc",
		"loadgate:-x", "https://ghcr.io/loadgate", strings.Repeat("a", 256)} {
		if err := CheckImage(bad); err == nil {
			t.Errorf("CheckImage(%q) accepted it", bad)
		}
	}
}

func TestCheckQuantity(t *testing.T) {
	for _, ok := range []string{"1Gi", "500Mi", "10G", "1.5Ti", "100", "2k", "1Ei", "0.5Gi", "10Pi"} {
		if err := CheckQuantity(ok); err != nil {
			t.Errorf("CheckQuantity(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "lots", "1 Gi", "1gi", "1GB", "Gi", "-1Gi", "1.Gi", ".5Gi", "1e3", "0", "0Gi", "0.0Mi", "1Gi\n", strings.Repeat("9", 65)} {
		if err := CheckQuantity(bad); err == nil {
			t.Errorf("CheckQuantity(%q) accepted it", bad)
		}
	}
}
