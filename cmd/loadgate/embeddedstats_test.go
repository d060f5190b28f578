package main

import (
	"context"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/apiserver"
)

// TestEmbeddedStatsSaysItSharesTheCores: after a run against the embedded
// API that the generator limited, the summary says that the API ran in
// loadgate's process: the limit is the machine's, its work included.
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
		if !strings.Contains(out.String(), "storage operation") || strings.Contains(out.String(), "on its cores") != limited {
			t.Errorf("generator limited %v: printed\n%s", limited, out.String())
		}
	}
}
