package scenarios

import (
	"math"

	"github.com/loadgate/loadgate/runner"
	"go.yaml.in/yaml/v3"
)

func (p *parser) load(n *yaml.Node) {
	before := len(p.found)
	f := p.fields(n, "load", "model", "concurrency", "rate", "max_workers", "stages", "duration", "iterations", "pause")
	if f == nil {
		return
	}
	l := runner.Load{}
	if v := f["model"]; v != nil {
		if model, ok := p.str(v, "load.model"); ok {
			switch model {
			case "open":
				l.Open = true
			case "closed":
			default:
				p.at(v, 0, "load.model must be open or closed, not %q", model)
			}
		}
	}
	if v := f["rate"]; v != nil {
		if f["model"] != nil && !l.Open {
			p.at(v, 0, "load.rate sets the open model's arrivals; the closed model takes load.concurrency")
		}
		if s, ok := p.str(v, "load.rate"); ok {
			rate, err := runner.ParseRate(s)
			if err != nil {
				p.at(v, 0, "load.rate: %v", err)
			}
			l.Open, l.Rate = true, rate
		}
	}
	if v := f["concurrency"]; v != nil {
		if l.Open {
			p.at(v, 0, "load.concurrency sets the closed model's workers; the open model takes load.max_workers")
		}
		c, _ := p.integer(v, "load.concurrency", 1, runner.MaxWorkers)
		l.Concurrency = int(c)
	}
	if v := f["max_workers"]; v != nil {
		if !l.Open {
			p.at(v, 0, "load.max_workers applies to the open model: set load.rate or model: open")
		}
		m, _ := p.integer(v, "load.max_workers", 1, runner.MaxWorkers)
		l.MaxWorkers = int(m)
	}
	if v := f["stages"]; v != nil {
		l.Stages = p.stages(v)
	}
	if v := f["duration"]; v != nil {
		l.Duration, _ = p.duration(v, "load.duration")
	}
	if v := f["iterations"]; v != nil {
		p.iterations = v
		l.Iterations, _ = p.integer(v, "load.iterations", 1, math.MaxInt64)
	}
	if v := f["pause"]; v != nil {
		l.Pause, _ = p.duration(v, "load.pause")
	}
	if !l.Open && l.Concurrency == 0 && len(l.Stages) == 0 {
		l.Concurrency = 1
	}
	if !l.Open && l.Iterations == 0 && l.Duration == 0 && len(l.Stages) == 0 {
		l.Iterations = 1
	}
	checked := l
	if checked.Open && checked.MaxWorkers == 0 {
		checked.MaxWorkers = 1 // run sets it from the rate and the timeout
	}
	if len(p.found) == before {
		for _, problem := range checked.Problems(func(f runner.LoadField) string { return "load." + string(f) }) {
			at := f[string(problem.Field)]
			if at == nil {
				at = n
			}
			p.at(at, 0, "%s", problem.Message)
		}
	}
	p.sc.Load = l
}

// stages reads a list of {duration, target} or a string such as "30s:100,1m:100".
func (p *parser) stages(n *yaml.Node) []runner.Stage {
	if n.Kind == yaml.ScalarNode {
		s, _ := p.str(n, "load.stages")
		stages, err := runner.ParseStages(s)
		if err != nil {
			p.at(n, 0, "load.stages: %v", err)
		}
		return stages
	}
	items, _ := p.list(n, "load.stages")
	var stages []runner.Stage
	for _, item := range items {
		f := p.fields(item, "a stage", "duration", "target")
		if f == nil {
			continue
		}
		if f["duration"] == nil || f["target"] == nil {
			p.at(item, 0, "a stage needs a duration and a target, as in {duration: 30s, target: 100}")
			continue
		}
		d, _ := p.duration(f["duration"], "stage duration")
		target, _ := p.number(f["target"], "stage target")
		stages = append(stages, runner.Stage{Duration: d, Target: target})
	}
	return stages
}
