package resultfile

import (
	"fmt"

	"github.com/loadgate/loadgate/runner"
)

// connectionsJSON is the set-up of the connections made for an endpoint's
// requests (or for all of them, in the totals): one value per connection,
// not per request. A file written before loadgate recorded connections
// has none.
type connectionsJSON struct {
	Made           int64     `json:"made"`
	TLSHandshakes  int64     `json:"tls_handshakes"`
	TLSResumed     int64     `json:"tls_resumed"`
	ConnectMS      Latencies `json:"connect_ms"`
	TLSHandshakeMS Latencies `json:"tls_handshake_ms"`
	// ConnectHistogram and TLSHandshakeHistogram are HdrHistograms in
	// microseconds, of the latency histograms' geometry, V2 compressed and
	// base64-encoded; in the endpoints only.
	ConnectHistogram      string `json:"connect_histogram,omitempty"`
	TLSHandshakeHistogram string `json:"tls_handshake_histogram,omitempty"`
}

// connectionsOut writes c (nil: no connection made), with its histograms
// when histograms is set.
func connectionsOut(c *runner.ConnectionStats, histograms bool) (*connectionsJSON, error) {
	if c == nil {
		return nil, nil
	}
	out := &connectionsJSON{Made: c.Made(), TLSHandshakes: c.Handshakes(), TLSResumed: c.Resumed,
		ConnectMS: LatenciesOf(c.Connect), TLSHandshakeMS: LatenciesOf(c.Handshake)}
	if histograms {
		connect, err := c.Connect.EncodeV2()
		if err != nil {
			return nil, err
		}
		handshake, err := c.Handshake.EncodeV2()
		if err != nil {
			return nil, err
		}
		out.ConnectHistogram, out.TLSHandshakeHistogram = string(connect), string(handshake)
	}
	return out, nil
}

// readConnections rebuilds an endpoint's connection statistics (nil for
// none); its counts must agree with its histograms.
func readConnections(in *connectionsJSON) (*runner.ConnectionStats, error) {
	if in == nil {
		return nil, nil
	}
	c := &runner.ConnectionStats{Resumed: in.TLSResumed}
	var err error
	if c.Connect, err = readHistogram(in.ConnectHistogram, latencyGeometry); err != nil {
		return nil, fmt.Errorf("connections.connect_histogram: %w", err)
	}
	if c.Handshake, err = readHistogram(in.TLSHandshakeHistogram, latencyGeometry); err != nil {
		return nil, fmt.Errorf("connections.tls_handshake_histogram: %w", err)
	}
	if in.Made == 0 || in.TLSHandshakes > in.Made {
		return nil, fmt.Errorf("connections: %d made, %d TLS handshakes; a connections block has at least one connection, and no more handshakes than connections",
			in.Made, in.TLSHandshakes)
	}
	if in.Made != c.Made() || in.TLSHandshakes != c.Handshakes() || in.TLSResumed < 0 || in.TLSResumed > in.TLSHandshakes {
		return nil, fmt.Errorf("connections: %d made, %d TLS handshakes of which %d resumed; the histograms hold %d connections and %d handshakes",
			in.Made, in.TLSHandshakes, in.TLSResumed, c.Made(), c.Handshakes())
	}
	return c, nil
}

// checkTotalConnections reports totals' connections (nil: not given) that
// are not the endpoints' c together.
func checkTotalConnections(in *connectionsJSON, c *runner.ConnectionStats) error {
	if in == nil {
		return nil
	}
	if c == nil || in.Made != c.Made() || in.TLSHandshakes != c.Handshakes() || in.TLSResumed != c.Resumed {
		return fmt.Errorf("totals.connections (%d made, %d TLS handshakes, %d resumed) are not the endpoints' connections together",
			in.Made, in.TLSHandshakes, in.TLSResumed)
	}
	return nil
}
