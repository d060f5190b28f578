package runner_test

import (
	"log"
	"strings"
	"testing"

	"github.com/loadgate/loadgate/internal/testkit"
	"github.com/loadgate/loadgate/runner"
)

// TestProtocolLogCountsOnlyNetHTTPEvents: net/http's line about an answer
// nobody asked for is counted; any other line in the log (a server's accept
// error) goes on to Other, never counted as the target's doing.
func TestProtocolLogCountsOnlyNetHTTPEvents(t *testing.T) {
	var other testkit.Buffer
	l := &runner.ProtocolLog{Other: &other}
	logger := log.New(l, "", log.LstdFlags)
	logger.Printf("Unsolicited response received on idle HTTP channel starting with %q; err=%v", "HTTP/1.1 200", nil)
	logger.Printf("http: Accept error: accept tcp 127.0.0.1:80: too many open files; retrying in 5ms")
	if got := other.String(); !strings.Contains(got, "too many open files") || strings.Contains(got, "Unsolicited") {
		t.Errorf("passed on %q; want the accept error alone", got)
	}
}
