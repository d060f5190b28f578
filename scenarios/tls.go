package scenarios

import (
	"path/filepath"

	"github.com/loadgate/loadgate/runner"
	"go.yaml.in/yaml/v3"
)

// tlsOptions reads the tls block: the TLS options of an https:// target. Its files
// are read and checked now, relative paths from the scenario file's
// directory; a problem is placed at the key's value.
func (p *parser) tlsOptions(n *yaml.Node, target string) {
	keys := runner.TLSFields()
	known := make([]string, len(keys))
	for i, k := range keys {
		known[i] = string(k)
	}
	f := p.fields(n, "tls", known...)
	if f == nil {
		return
	}
	if u, err := runner.ParseTarget(target); err == nil && u.Scheme == "http" {
		p.at(n, 0, "tls applies to an https:// target; the file's target %s is plain HTTP", u.Redacted())
	}
	before := len(p.found)
	var o runner.TLSOptions
	if v := f[string(runner.TLSInsecure)]; v != nil {
		o.Insecure, _ = p.boolean(v, "tls.insecure")
	}
	path := func(field runner.TLSField) string {
		v := f[string(field)]
		if v == nil {
			return ""
		}
		s, _ := p.str(v, "tls."+string(field))
		if s != "" && !filepath.IsAbs(s) {
			s = filepath.Join(p.opts.Dir, s)
		}
		return s
	}
	o.CACert, o.ClientCert, o.ClientKey = path(runner.TLSCACert), path(runner.TLSClientCert), path(runner.TLSClientKey)
	if v := f[string(runner.TLSServerName)]; v != nil {
		o.ServerName, _ = p.str(v, "tls.server_name")
	}
	if v := f[string(runner.TLSMinVersion)]; v != nil {
		o.MinVersion, _ = p.str(v, "tls.min_version")
	}
	p.sc.TLS = o
	if len(p.found) > before {
		return
	}
	_, problems := o.Config(func(f runner.TLSField) string { return "tls." + string(f) })
	for _, problem := range problems {
		at := f[string(problem.Field)]
		if at == nil {
			at = n
		}
		p.at(at, 0, "%s", problem.Message)
	}
}
