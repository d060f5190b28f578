package scenarios

import (
	"crypto/rand"
	"encoding/hex"
	"mime"
	"net/url"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/loadgate/loadgate/internal/readfile"
)

// The content types of the bodies loadgate encodes itself, besides JSON.
const (
	formContentType      = "application/x-www-form-urlencoded"
	multipartContentType = "multipart/form-data"
	defaultFileType      = "application/octet-stream"
)

// form compiles a form body, field → value, sent as
// application/x-www-form-urlencoded: each name and each value (its
// templates' renderings too) escaped as a query value, so a password with
// + or % arrives as it is.
func (p *parser) form(n *yaml.Node, what string, sc *scope) *template {
	keys, values, ok := p.pairs(n, what)
	if ok && len(keys) == 0 {
		p.at(n, 0, "%s is empty: give its fields, or remove the key (a POST without a body is method: POST)", what)
	}
	var b templateBuilder
	for i, k := range keys {
		t, ok := p.template(values[i], what+"."+k.Value, escapeQuery, sc)
		if !ok {
			continue
		}
		if i > 0 {
			b.literal("&")
		}
		b.literal(url.QueryEscape(k.Value) + "=")
		b.add(t, url.QueryEscape)
	}
	return b.template()
}

// multipart compiles a multipart/form-data body, field → value in file
// order: a string is a field (a template, sent as rendered), a mapping
// {file, content_type, filename} a file read now, from a path relative to
// the scenario file. It returns the body and its Content-Type, which
// names the boundary, drawn at random for each load of the file.
func (p *parser) multipart(n *yaml.Node, what string, sc *scope) (*template, string) {
	keys, values, ok := p.pairs(n, what)
	if ok && len(keys) == 0 {
		p.at(n, 0, "%s is empty: give its fields or files, or remove the key (a POST without a body is method: POST)", what)
	}
	boundary := newBoundary()
	var b templateBuilder
	fileBytes := 0
	for i, k := range keys {
		field := what + "." + k.Value
		if strings.ContainsAny(k.Value, "\r\n") {
			p.at(k, 0, "%s: a field name cannot hold a line break", what)
			continue
		}
		b.literal("--" + boundary + "\r\n" + `Content-Disposition: form-data; name="` + quoteEscaper.Replace(k.Value) + `"`)
		if v := resolve(values[i]); v.Kind == yaml.MappingNode {
			data, filename, contentType := p.multipartFile(v, field)
			fileBytes += len(data)
			if fileBytes > maxBodyBytes {
				p.at(v, 0, "%s: the files of %s come to more than %d bytes; multipart bodies are for small files", field, what, maxBodyBytes)
			}
			b.literal(`; filename="` + quoteEscaper.Replace(filename) + "\"\r\nContent-Type: " + contentType + "\r\n\r\n")
			b.literal(string(data))
		} else {
			t, _ := p.template(v, field, escapeNone, sc)
			b.literal("\r\n\r\n")
			if t != nil {
				b.add(t, nil)
			}
		}
		b.literal("\r\n")
	}
	b.literal("--" + boundary + "--\r\n")
	return b.template(), multipartContentType + "; boundary=" + boundary
}

// multipartFile reads {file, content_type, filename}: the file's bytes,
// the name sent for it (default: its base name) and its content type
// (default application/octet-stream).
func (p *parser) multipartFile(n *yaml.Node, what string) (data []byte, filename, contentType string) {
	f := p.fields(n, what, "file", "content_type", "filename")
	contentType = defaultFileType
	if f == nil {
		return nil, "", contentType
	}
	if v := f["file"]; v == nil {
		p.at(n, 0, "%s needs a file, a path from the scenario file's directory", what)
	} else if path, ok := p.str(v, what+".file"); ok {
		filename = filepath.Base(path)
		p.name(path, false)
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.opts.Dir, path)
		}
		var err error
		if data, err = readfile.Limited(path, maxBodyBytes); err != nil {
			p.at(v, 0, "%s.file %s: %v", what, path, err)
		}
	}
	if v := f["filename"]; v != nil {
		filename, _ = p.str(v, what+".filename")
	}
	if strings.ContainsAny(filename, "\r\n") {
		p.at(n, 0, "%s: a file name cannot hold a line break", what)
	}
	if v := f["content_type"]; v != nil {
		if s, ok := p.str(v, what+".content_type"); ok {
			if _, _, err := mime.ParseMediaType(s); err != nil || strings.ContainsAny(s, "\r\n") {
				p.at(v, 0, "%s.content_type %q is not a media type such as image/png", what, s)
			}
			contentType = s
		}
	}
	return data, filename, contentType
}

// quoteEscaper escapes a name inside the quotes of a Content-Disposition,
// as Go's mime/multipart does.
var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// newBoundary returns a random multipart boundary.
func newBoundary() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "loadgate-" + hex.EncodeToString(b)
}
