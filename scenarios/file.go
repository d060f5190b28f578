package scenarios

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/loadgate/loadgate/internal/readfile"
	"github.com/loadgate/loadgate/internal/slo"
	"github.com/loadgate/loadgate/runner"
	"go.yaml.in/yaml/v3"
)

// maxFileBytes bounds a scenario file.
const maxFileBytes = 1 << 20

// Limits on what a file may ask for.
const (
	maxUsers       = 100_000
	maxSteps       = 100
	maxRetries     = 100
	maxWeightTotal = 10_000
	defaultMaxWait = 10 * time.Second
)

// Options say how a scenario file is read. The zero value requires every
// environment variable the file names, as `validate` does.
type Options struct {
	// Dir is where relative paths in the file (a CSV of users) start; empty
	// is the working directory. LoadFile sets it to the file's directory.
	Dir string
	// CredentialsGiven says that --username and --password replace the
	// file's users: the environment variables its users.fixed names need
	// not be set.
	CredentialsGiven bool
	// ReadTLSFiles reads the files the tls block names and checks them as
	// a run without TLS flags would (runner.TLSOptions.Config) when the
	// file's own target uses the block (runner.TLSUsed), for `validate`: a
	// run checks the block's shape alone, and reads the files once its
	// flags and target apply.
	ReadTLSFiles bool
}

// LoadFile reads and validates the scenario file at path; relative paths
// in it start from the file's directory. An invalid file gives Problems,
// each with its line and column.
func LoadFile(path string, opts Options) (*Scenario, error) {
	data, err := readfile.Limited(path, maxFileBytes)
	if err != nil {
		return nil, Problems{{File: path, Msg: err.Error()}}
	}
	opts.Dir = filepath.Dir(path)
	return Parse(path, data, opts)
}

// Parse validates the scenario in data, read from file (a name for
// messages).
func Parse(file string, data []byte, opts Options) (sc *Scenario, err error) {
	d := &decoder{problems: problems{file: file}, merged: map[*yaml.Node]mapEntries{}}
	doc, more, err := unmarshal(data)
	if err != nil {
		return nil, Problems{yamlProblem(file, data, err)}
	}
	if len(doc.Content) == 0 {
		return nil, Problems{{File: file, Msg: "the file is empty: a scenario needs at least steps"}}
	}
	d.lines = strings.Split(string(data), "\n")
	if more != nil {
		d.at(more, 0, "a second YAML document: a scenario file holds one")
	}
	p := &parser{decoder: d, opts: opts, sc: &Scenario{Source: data}}
	p.scenario(doc.Content[0], file)
	if len(d.found) > 0 {
		slices.SortStableFunc(d.found, func(a, b Problem) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		// A node that aliases or merge keys reuse is read once per use:
		// its problem is reported once.
		return nil, slices.Compact(d.found)
	}
	return p.sc, nil
}

// unmarshal parses the first YAML document of data, and returns the start
// of a second one if there is one. A panic of the parser is an error.
func unmarshal(data []byte) (doc, second *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: unreadable: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	doc = &yaml.Node{}
	if err := dec.Decode(doc); err != nil && err != io.EOF {
		return nil, nil, err
	}
	var next yaml.Node
	if dec.Decode(&next) == nil {
		second = &next
		if len(next.Content) > 0 {
			second = next.Content[0]
		}
	}
	return doc, second, nil
}

// plainName reports whether s is a non-empty name of ASCII letters,
// digits, - and _.
func plainName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '-' && c != '_' && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// parser builds a Scenario from a file's nodes.
type parser struct {
	*decoder
	opts       Options
	sc         *Scenario
	iterations *yaml.Node // load.iterations, or the load or the file when not given
}

var topKeys = []string{"name", "description", "target", "tls", "timeout", "http2", "load", "users", "session", "steps", "classify", "retry", "slos"}

func (p *parser) scenario(root *yaml.Node, file string) {
	f := p.fields(root, "the scenario", topKeys...)
	if f == nil {
		return
	}
	sc := p.sc
	sc.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	if n := f["name"]; n == nil && !plainName(sc.Name) {
		p.at(root, 0, "the file's name %q cannot name the scenario: give it a name: of 1 to 64 letters, digits, - and _", sc.Name)
	} else if n != nil {
		if name, ok := p.str(n, "name"); ok {
			if !plainName(name) {
				p.at(n, 0, "name %q: use 1 to 64 letters, digits, - and _", truncated(name))
			}
			sc.Name = name
		}
	}
	if n := f["description"]; n != nil {
		sc.Description, _ = p.str(n, "description")
	}
	if n := f["target"]; n != nil {
		if s, ok := p.str(n, "target"); ok {
			if _, err := runner.ParseTarget(s); err != nil {
				p.at(n, 0, "target %v", err)
			}
			sc.Target = s
		}
	}
	if n := f["tls"]; n != nil {
		p.tlsOptions(n)
	}
	if n := f["timeout"]; n != nil {
		if d, ok := p.duration(n, "timeout"); ok {
			if err := runner.CheckTimeout(d, "timeout"); err != nil {
				p.at(n, 0, "%v", err)
			}
			sc.Timeout = d
		}
	}
	if n := f["http2"]; n != nil {
		sc.HTTP2, _ = p.boolean(n, "http2")
	}
	sc.Load = runner.Load{Concurrency: 1, Iterations: 1}
	p.iterations = root
	if n := f["load"]; n != nil {
		p.iterations = n
		p.load(n)
	}
	sc.classifier = runner.DefaultClassifier()
	if n := f["classify"]; n != nil {
		p.classify(n)
	}
	if n := f["users"]; n != nil {
		p.users(n)
	}
	if limit := sc.IterationLimit(); limit > 0 && sc.Load.Iterations > limit {
		p.at(p.iterations, 0, "load.iterations %d: users.order unique allows at most %d iteration%s, one per user", sc.Load.Iterations, limit, plural(limit))
	}
	var retry runner.Retry
	if n := f["retry"]; n != nil {
		retry = p.retry(n)
	}
	var session *sessionVars
	if n := f["session"]; n != nil {
		session = p.session(n, retry)
	}
	if n := f["steps"]; n != nil {
		p.steps(n, retry, session)
	} else {
		p.at(root, 0, "the scenario has no steps: add steps:, a list of requests")
	}
	if session != nil {
		p.checkUsed(session)
	}
	if n := f["slos"]; n != nil {
		p.slos(n)
	}
}

func (p *parser) slos(n *yaml.Node) {
	items, _ := p.list(n, "slos")
	endpoints := p.sc.Endpoints()
	var custom []string
	for _, r := range p.sc.classifier.Custom {
		custom = append(custom, r.Name)
	}
	for _, item := range items {
		expr, ok := p.str(item, "an SLO")
		if !ok {
			continue
		}
		parsed, err := slo.Parse(expr, custom...)
		var sloErr *slo.Error
		switch {
		case errors.As(err, &sloErr) && sloErr.Scope != "" && !slices.Contains(endpoints, sloErr.Scope):
			p.at(item, 0, "invalid SLO %q: the scenario has no step %q (its steps are %s), and %s", expr, sloErr.Scope, strings.Join(endpoints, ", "), sloErr.Msg)
		case errors.As(err, &sloErr):
			p.at(item, sloErr.Column-1, "invalid SLO %q: %s", expr, sloErr.Msg)
		case err != nil:
			p.at(item, 0, "%v", err)
		case parsed.Scope != "" && !slices.Contains(endpoints, parsed.Scope):
			p.at(item, 0, "invalid SLO %q: the scenario has no step %q; its steps are %s", expr, parsed.Scope, strings.Join(endpoints, ", "))
		default:
			if err := slo.CheckScopes([]slo.SLO{parsed}, endpoints); err != nil {
				p.at(item, 0, "%v", err)
			}
		}
		p.sc.SLOs = append(p.sc.SLOs, parsed)
	}
}
