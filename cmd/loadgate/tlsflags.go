package main

import (
	"crypto/tls"
	"errors"
	"net/url"

	"github.com/loadgate/loadgate/runner"
	"github.com/spf13/pflag"
)

// tlsFlags are the TLS flags of `run` and `smoke`: each replaces the same
// key of the scenario file's tls block, --client-cert and --client-key
// both keys of the pair (see settings).
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

// settings applies the TLS flags that were set to file, the options of
// the scenario file fileName, and, for an https:// target, checks the
// result and reads its files: the one check of the files a run makes.
// --client-cert and --client-key are one setting: either flag replaces
// both keys of the file, and needs the other. An empty flag is a usage
// error, and so are TLS flags with a plain http:// target (nil: the
// embedded reference API); the file's options then are not used, with a
// warning.
func (f *tlsFlags) settings(fs *pflag.FlagSet, file runner.TLSOptions, fileName string, target *url.URL) (tlsSettings, error) {
	given := func(field runner.TLSField) bool { return fs.Changed(tlsFlagNames[field]) }
	values := map[runner.TLSField]string{
		runner.TLSCACert: f.opts.CACert, runner.TLSClientCert: f.opts.ClientCert, runner.TLSClientKey: f.opts.ClientKey,
		runner.TLSServerName: f.opts.ServerName, runner.TLSMinVersion: f.opts.MinVersion,
	}
	for _, field := range runner.TLSFields() {
		if field != runner.TLSInsecure && given(field) && values[field] == "" {
			return tlsSettings{}, usagef("--%s is empty: give %s, or leave the flag out (to drop the scenario file's tls.%s, remove it from the file)",
				tlsFlagNames[field], field.Takes(), field)
		}
	}
	opts := file
	if given(runner.TLSInsecure) {
		opts.Insecure = f.opts.Insecure
	}
	if given(runner.TLSCACert) {
		opts.CACert = f.opts.CACert
	}
	pair := given(runner.TLSClientCert) || given(runner.TLSClientKey)
	if pair {
		opts.ClientCert, opts.ClientKey = f.opts.ClientCert, f.opts.ClientKey
	}
	if given(runner.TLSServerName) {
		opts.ServerName = f.opts.ServerName
	}
	if given(runner.TLSMinVersion) {
		opts.MinVersion = f.opts.MinVersion
	}
	// A setting is named as the flag that gives it, else as the file's key.
	fromFlag := func(field runner.TLSField) bool {
		return given(field) || pair && (field == runner.TLSClientCert || field == runner.TLSClientKey)
	}
	name := func(field runner.TLSField) string {
		if fromFlag(field) {
			return "--" + tlsFlagNames[field]
		}
		return "tls." + string(field)
	}
	if !runner.TLSUsed(target) {
		for _, field := range runner.TLSFields() {
			if given(field) {
				return tlsSettings{}, usagef("%s applies to an https:// target; %s", name(field), plainTarget(target))
			}
		}
		return tlsSettings{warning: tlsBlockUnused(opts, fileName, target)}, nil
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

// plainTarget says that target, which does not use TLS options (see
// runner.TLSUsed), is plain HTTP; nil is the embedded reference API.
func plainTarget(target *url.URL) string {
	if target == nil {
		return "the target is the embedded reference API, plain http://"
	}
	return "the target " + target.Redacted() + " is plain HTTP"
}

// tlsBlockUnused is the warning that the tls block of the scenario file
// fileName is not used with target (see runner.TLSUsed); "" when the block
// is empty or used. `run` and `validate` print it.
func tlsBlockUnused(block runner.TLSOptions, fileName string, target *url.URL) string {
	if block.IsZero() || runner.TLSUsed(target) {
		return ""
	}
	return "tls block of " + fileName + " not used: " + plainTarget(target)
}
