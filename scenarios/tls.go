package scenarios

import (
	"path/filepath"

	"github.com/loadgate/loadgate/runner"
	"go.yaml.in/yaml/v3"
)

// tlsOptions reads the tls block: the TLS options of an https:// target,
// relative paths from the scenario file's directory. Only what shows
// without reading its files is checked (see runner.TLSOptions.Check),
// unless Options.ReadTLSFiles: a run's flags may replace any key, and its
// target decides whether the block is used, so a run reads the files once
// its flags apply. A problem is placed at the key's value.
func (p *parser) tlsOptions(n *yaml.Node) {
	keys := runner.TLSFields()
	known := make([]string, len(keys))
	for i, k := range keys {
		known[i] = string(k)
	}
	f := p.fields(n, "tls", known...)
	if f == nil {
		return
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
	problems := o.Check(tlsKey)
	if p.opts.ReadTLSFiles {
		_, problems = o.Config(tlsKey)
	}
	for _, problem := range problems {
		at := f[string(problem.Field)]
		if at == nil {
			at = n
		}
		p.at(at, 0, "%s", problem.Message)
	}
}

// tlsKey names a TLS setting as the file's key: "tls.ca_cert".
func tlsKey(field runner.TLSField) string { return "tls." + string(field) }
