package main

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/loadgate/loadgate/apiserver"
)

// TestEmbeddedStatsSaysItSharesTheCores: after a run against the embedded
// API that the generator limited, the summary says that the API ran in
// loadgate's process: the limit is the machine's, its work included; in
// 80 columns, as the rest of the summary (TestSummaryFits80Columns meets
// these lines only when the machine limits its run).
func TestEmbeddedStatsSaysItSharesTheCores(t *testing.T) {
	in, err := apiserver.Start(apiserver.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer in.Shutdown(context.Background())
	for _, limited := range []bool{false, true} {
		var out strings.Builder
		if err := embeddedStats(&out, in, limited); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "storage operation") || strings.Contains(out.String(), "process and cores") != limited {
			t.Errorf("generator limited %v: printed\n%s", limited, out.String())
		}
		for line := range strings.Lines(out.String()) {
			if n := utf8.RuneCountInString(strings.TrimSuffix(line, "\n")); n > 80 {
				t.Errorf("a line of %d columns: %s", n, line)
			}
		}
	}
}
