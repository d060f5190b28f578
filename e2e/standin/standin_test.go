package standin

import "testing"

func TestExpand(t *testing.T) {
	vars := map[string]string{"JOB_COMPLETION_INDEX": "2", "EMPTY": ""}
	for _, c := range []struct{ in, want string }{
		{"--out=/results/shard-$(JOB_COMPLETION_INDEX).json", "--out=/results/shard-2.json"},
		{"$$(JOB_COMPLETION_INDEX)", "$(JOB_COMPLETION_INDEX)"},
		{"$(UNDEFINED) and $(EMPTY).", "$(UNDEFINED) and ."},
		{"cost: $5, $", "cost: $5, $"},
		{"$(UNCLOSED", "$(UNCLOSED"},
	} {
		if got := expand(c.in, vars); got != c.want {
			t.Errorf("expand(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestHostPaths(t *testing.T) {
	mounts := map[string]string{"/results": "/tmp/claims/r/run1", "/results/more": "/tmp/other"}
	for _, c := range []struct{ in, want string }{
		{"--out=/results/shard-0.json", "--out=/tmp/claims/r/run1/shard-0.json"},
		{"/results/more/x", "/tmp/other/x"},
		{"/resultsX/y", "/resultsX/y"},
	} {
		if got := hostPaths(c.in, mounts); got != c.want {
			t.Errorf("hostPaths(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
