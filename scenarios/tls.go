package scenarios

import (
	"path/filepath"

	"github.com/loadgate/loadgate/runner"
	"go.yaml.in/yaml/v3"
)

// tlsOptions reads the tls block: the TLS options of an https:// target,
// relative paths from the scenario file's directory. Every problem of the
// block is found, each placed at its key's value. Only what shows without
// reading its files is checked (see runner.TLSOptions.Check), unless
// Options.ReadTLSFiles and the file's own target uses the block
// (runner.TLSUsed): a run's flags may replace any key, and its target
// decides whether the block is used, so a run reads the files once its
// flags apply.
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
	var o runner.TLSOptions
	bad := map[runner.TLSField]bool{} // given, and not a value of its kind
	if v := f[string(runner.TLSInsecure)]; v != nil {
		var ok bool
		o.Insecure, ok = p.boolean(v, tlsKey(runner.TLSInsecure))
		bad[runner.TLSInsecure] = !ok
	}
	str := func(field runner.TLSField) string {
		v := f[string(field)]
		if v == nil {
			return ""
		}
		s, ok := p.str(v, tlsKey(field))
		if ok && s == "" {
			p.at(v, 0, "%s is empty: give %s, or remove the key", tlsKey(field), field.Takes())
		}
		bad[field] = s == ""
		return s
	}
	path := func(field runner.TLSField) string {
		s := str(field)
		p.name(s, true)
		if s != "" && !filepath.IsAbs(s) {
			s = filepath.Join(p.opts.Dir, s)
		}
		return s
	}
	o.CACert, o.ClientCert, o.ClientKey = path(runner.TLSCACert), path(runner.TLSClientCert), path(runner.TLSClientKey)
	o.ServerName, o.MinVersion = str(runner.TLSServerName), str(runner.TLSMinVersion)
	p.sc.TLS = o
	if bad[runner.TLSClientCert] || bad[runner.TLSClientKey] {
		// The bad one has its problem: the pair is not also missing half.
		o.ClientCert, o.ClientKey = "", ""
	}
	problems := o.Check(tlsKey)
	if p.opts.ReadTLSFiles && runner.TLSUsed(p.sc.TargetURL()) {
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
