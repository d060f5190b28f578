package servermetrics

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

// Source is where a server's metrics are read: a URL to scrape, or, for a
// server in this process, its Gatherer and a Name that tells it apart from
// any other server.
type Source struct {
	URL      string
	Gatherer prometheus.Gatherer
	Name     string
}

func (s Source) String() string {
	if s.Gatherer != nil {
		return s.Name
	}
	return s.URL
}

func (s Source) read(ctx context.Context, client *http.Client) (Snapshot, error) {
	if s.Gatherer != nil {
		return Gather(s.Gatherer)
	}
	return Scrape(ctx, client, s.URL)
}

// Reading is the metrics of some servers (the replicas of one service),
// read as a run begins, to be read again when it ends.
type Reading struct {
	client  *http.Client
	sources []Source
	before  []Snapshot
	failed  []error // per source, why the first reading failed
}

// Begin reads sources with client, the first time.
func Begin(ctx context.Context, client *http.Client, sources []Source) *Reading {
	r := &Reading{client: client, sources: sources, before: make([]Snapshot, len(sources)), failed: make([]error, len(sources))}
	for i, s := range sources {
		r.before[i], r.failed[i] = s.read(ctx, client)
	}
	return r
}

// View is what the servers did during a run, by their own metrics: the
// deltas of their sources summed, and why a source is missing from them.
type View struct {
	Delta
	// Problems say, one line each, why a source could not be read, and
	// which series were reset between the readings.
	Problems []string
	// Sources name the servers read (Source.String), so that two views of
	// one server are never added.
	Sources []string
	// Names maps the names the view is read through (NameLockWait and
	// the others) to selectors of the server's metrics, where they are not
	// the reference API's (see ParseNames).
	Names map[string]string
}

// End reads the sources again and returns what they did since Begin, to be
// read through names (see View.Names). A source that could not be read
// either time is left out, and said so.
func (r *Reading) End(ctx context.Context, names map[string]string) View {
	v := View{Names: names}
	for i, s := range r.sources {
		v.Sources = append(v.Sources, s.String())
		if r.failed[i] != nil {
			v.Problems = append(v.Problems, fmt.Sprintf("metrics of %s not read as the load began: %v", s, r.failed[i]))
			continue
		}
		after, err := s.read(ctx, r.client)
		if err == nil {
			var d Delta
			if d, err = Subtract(r.before[i], after); err == nil {
				v.Delta = v.Delta.Plus(d)
				if len(d.Resets) > 0 {
					v.Problems = append(v.Problems, fmt.Sprintf("metrics of %s left out: the server restarted between the readings (%d series went down, went away or were made anew, such as %s)",
						s, len(d.Resets), d.Resets[0]))
				}
			}
		}
		if err != nil {
			v.Problems = append(v.Problems, fmt.Sprintf("metrics of %s not read after the load: %v", s, err))
		}
	}
	return v
}

// Plus returns d and o together: the counters and the histograms of the
// series they share added, the others as they are.
func (d Delta) Plus(o Delta) Delta {
	out := Delta{Text: d.Text || o.Text, Resets: slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(d.Resets), o.Resets...))))}
	byKey := map[string]int{}
	for _, s := range append(slices.Clone(d.Series), o.Series...) {
		i, seen := byKey[s.Key()]
		switch {
		case !seen:
			byKey[s.Key()] = len(out.Series)
			out.Series = append(out.Series, s)
		case s.Histogram != nil && out.Series[i].Histogram != nil:
			out.Series[i].Histogram = out.Series[i].Histogram.add(s.Histogram)
		case s.Histogram == nil && out.Series[i].Histogram == nil:
			out.Series[i].Counter += s.Counter
		}
	}
	slices.SortFunc(out.Series, func(a, b Series) int { return cmp.Compare(a.Key(), b.Key()) })
	return out
}
