package main

import (
	"crypto/tls"
	"errors"
	"net/url"

	"github.com/loadgate/loadgate/runner"
	"github.com/spf13/pflag"
)

// tlsFlags are the TLS flags of `run` and `smoke`: each replaces the same
// key of the scenario file's tls block.
type tlsFlags struct {
	opts runner.TLSOptions
}

// tlsFlagNames are the flags that set each TLS option.
var tlsFlagNames = map[runner.TLSField]string{
	runner.TLSInsecure:   "insecure",
	runner.TLSCACert:     "ca-cert",
	runner.TLSClientCert: "client-cert",
	runner.TLSClientKey:  "client-key",
	runner.TLSServerName: "server-name",
	runner.TLSMinVersion: "tls-min",
}

func (f *tlsFlags) register(fs *pflag.FlagSet) {
	fs.BoolVarP(&f.opts.Insecure, tlsFlagNames[runner.TLSInsecure], "k", false, "https://: do not verify the target's certificate (a warning says so)")
	fs.StringVar(&f.opts.CACert, tlsFlagNames[runner.TLSCACert], "", "https://: trust the PEM certificates in this file besides the system's roots")
	fs.StringVar(&f.opts.ClientCert, tlsFlagNames[runner.TLSClientCert], "", "https://: show the PEM certificate in this file to the target (mutual TLS; needs --client-key)")
	fs.StringVar(&f.opts.ClientKey, tlsFlagNames[runner.TLSClientKey], "", "https://: the PEM private key of --client-cert")
	fs.StringVar(&f.opts.ServerName, tlsFlagNames[runner.TLSServerName], "", "https://: the name sent in SNI and verified in the certificate (default: the target's host)")
	fs.StringVar(&f.opts.MinVersion, tlsFlagNames[runner.TLSMinVersion], "", "https://: the oldest TLS version accepted, 1.2 or 1.3 (default 1.2)")
}

// tlsSettings are a run's TLS settings, checked.
type tlsSettings struct {
	config *tls.Config // nil: Go's defaults
	// warning, when not "", is printed before the run: certificates are
	// not verified, or the file's options do not apply to the target.
	warning string
}

// settings applies the TLS flags that were set to file, the scenario
// file's options (file names a key of it: "tls.ca_cert"), and reads their
// files for target (nil: the embedded reference API, plain HTTP). TLS
// flags with a plain http:// target are a usage error; the file's options
// then are not used, with a warning.
func (f *tlsFlags) settings(fs *pflag.FlagSet, file runner.TLSOptions, target *url.URL) (tlsSettings, error) {
	opts := file
	fromFlag := map[runner.TLSField]bool{}
	inFile := map[runner.TLSField]bool{}
	set := func(field runner.TLSField, fileSets bool, apply func()) {
		inFile[field] = fileSets
		if fs.Changed(tlsFlagNames[field]) {
			fromFlag[field] = true
			apply()
		}
	}
	set(runner.TLSInsecure, file.Insecure, func() { opts.Insecure = f.opts.Insecure })
	set(runner.TLSCACert, file.CACert != "", func() { opts.CACert = f.opts.CACert })
	set(runner.TLSClientCert, file.ClientCert != "", func() { opts.ClientCert = f.opts.ClientCert })
	set(runner.TLSClientKey, file.ClientKey != "", func() { opts.ClientKey = f.opts.ClientKey })
	set(runner.TLSServerName, file.ServerName != "", func() { opts.ServerName = f.opts.ServerName })
	set(runner.TLSMinVersion, file.MinVersion != "", func() { opts.MinVersion = f.opts.MinVersion })
	// A setting is named as the file's key when the file gave it, else as
	// the flag that gives it.
	name := func(field runner.TLSField) string {
		if inFile[field] && !fromFlag[field] {
			return "tls." + string(field)
		}
		return "--" + tlsFlagNames[field]
	}
	if target == nil || target.Scheme == "http" {
		shown := "the embedded reference API (http://)"
		if target != nil {
			shown = target.Redacted()
		}
		for _, field := range runner.TLSFields() {
			if fromFlag[field] {
				return tlsSettings{}, usagef("%s applies to an https:// target; the target %s is plain HTTP", name(field), shown)
			}
		}
		if !opts.IsZero() {
			return tlsSettings{warning: "the scenario's tls block does not apply to the plain HTTP target " + shown + ": not used"}, nil
		}
		return tlsSettings{}, nil
	}
	cfg, problems := opts.Config(name)
	if len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, p := range problems {
			errs[i] = errors.New(p.Message)
		}
		return tlsSettings{}, usageError{errors.Join(errs...)}
	}
	s := tlsSettings{config: cfg}
	if opts.Insecure {
		s.warning = name(runner.TLSInsecure) + ": the target's certificate is not verified"
	}
	return s, nil
}
