package scenarios

import "slices"

// NamedFile is a file a scenario file names: Path as the file writes it,
// relative to the scenario file's directory unless absolute.
type NamedFile struct {
	Path string
	// TLS marks a file of the tls block, which a run reads only when its
	// target is https:// (runner.TLSUsed).
	TLS bool
}

// Files are the files the scenario file names, each once, in the order it
// names them: its users CSV, its multipart bodies' files and its tls
// block's files. A built-in scenario names none.
func (s *Scenario) Files() []NamedFile { return slices.Clone(s.files) }

// name records a file the scenario names.
func (p *parser) name(path string, tls bool) {
	f := NamedFile{Path: path, TLS: tls}
	if path != "" && !slices.Contains(p.sc.files, f) {
		p.sc.files = append(p.sc.files, f)
	}
}
