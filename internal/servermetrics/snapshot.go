package servermetrics

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/encoding/protodelim"
)

// maxScrapeBytes bounds one scrape's body: a page of a few hundred thousand
// series, decoded in some ten times its size. An endless page took 608 MB
// to refuse at 64 MiB.
const maxScrapeBytes = 16 << 20

// Snapshot is a server's metric families read at one moment, by name.
type Snapshot struct {
	Families map[string]*dto.MetricFamily
	// Text is set when the scrape was in a text format, which has no
	// native histograms: only the classic buckets were read.
	Text bool
}

// accept asks for the protobuf exposition, which keeps native
// histograms, and takes the text formats after it.
var accept = string(expfmt.NewFormat(expfmt.TypeProtoDelim)) + ";q=0.9," + string(expfmt.NewFormat(expfmt.TypeTextPlain)) + ";q=0.5"

// Scrape reads the metrics at url with client.
func Scrape(ctx context.Context, client *http.Client, url string) (Snapshot, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Snapshot{}, err
	}
	req.Header.Set("Accept", accept)
	resp, err := client.Do(req)
	if err != nil {
		return Snapshot{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Snapshot{}, fmt.Errorf("%s answered %s", url, resp.Status)
	}
	format := expfmt.ResponseFormat(resp.Header)
	if format.FormatType() == expfmt.TypeUnknown {
		return Snapshot{}, fmt.Errorf("%s answered in %q, not a Prometheus exposition format", url, resp.Header.Get("Content-Type"))
	}
	snap, err := decode(resp.Body, format)
	if err != nil {
		return Snapshot{}, fmt.Errorf("%s: %w", url, err)
	}
	return snap, nil
}

// decode reads the metric families of an exposition in format, at most
// maxScrapeBytes of it. Protobuf messages are read here rather than by
// expfmt, whose reader allocates whatever size a message's prefix claims.
func decode(r io.Reader, format expfmt.Format) (Snapshot, error) {
	body := &io.LimitedReader{R: r, N: maxScrapeBytes + 1}
	proto := format.FormatType() == expfmt.TypeProtoDelim
	snap := Snapshot{Families: map[string]*dto.MetricFamily{}, Text: !proto}
	next := expfmt.NewDecoder(body, format).Decode
	if proto {
		in := bufio.NewReader(body)
		opts := protodelim.UnmarshalOptions{MaxSize: maxScrapeBytes}
		next = func(f *dto.MetricFamily) error { return opts.UnmarshalFrom(in, f) }
	}
	for {
		f := &dto.MetricFamily{}
		err := next(f)
		if body.N <= 0 { // checked first: a text parser ends cleanly where the bound cut it
			return Snapshot{}, fmt.Errorf("more than %d MiB of metrics", maxScrapeBytes>>20)
		}
		if errors.Is(err, io.EOF) {
			return snap, nil
		}
		if err != nil {
			return Snapshot{}, err
		}
		snap.Families[f.GetName()] = f
	}
}

// Gather reads the metrics of a server in this process.
func Gather(g prometheus.Gatherer) (Snapshot, error) {
	families, err := g.Gather()
	if err != nil {
		return Snapshot{}, err
	}
	snap := Snapshot{Families: map[string]*dto.MetricFamily{}}
	for _, f := range families {
		snap.Families[f.GetName()] = f
	}
	return snap, nil
}
