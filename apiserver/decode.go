package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// MaxBodyBytes is the largest request body the API reads (64 KiB); a larger
// one gets 413.
const MaxBodyBytes = 64 << 10

// decodeJSON reads r's body into dst the way the seed service's JSON
// extractor does: 415 for a content type that is not JSON, 413 for a body over
// MaxBodyBytes, 400 for malformed JSON or trailing data, and 422 for
// well-formed JSON of the wrong shape (a field of the wrong type). Missing
// fields are checked by the caller with requireFields.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) *apiError {
	if !isJSONContentType(r.Header.Get("Content-Type")) {
		return &apiError{status: http.StatusUnsupportedMediaType, kind: kindValidation,
			message: "Expected request with `Content-Type: application/json`"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return &apiError{status: http.StatusRequestEntityTooLarge, kind: kindValidation,
				message: fmt.Sprintf("Request body is larger than %d bytes", MaxBodyBytes)}
		}
		return badRequest("Failed to read the request body")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			if typeErr.Field == "" {
				return unprocessable("Request body must be a JSON object")
			}
			return unprocessable(fmt.Sprintf("Invalid type for field `%s`: expected %s", typeErr.Field, typeErr.Type))
		}
		return badRequest("Malformed JSON body: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("Malformed JSON body: unexpected data after the JSON object")
	}
	return nil
}

// isJSONContentType accepts application/json and application/*+json, with or
// without parameters such as charset.
func isJSONContentType(header string) bool {
	mediaType, _, err := mime.ParseMediaType(header)
	if err != nil {
		return false
	}
	return mediaType == "application/json" ||
		(strings.HasPrefix(mediaType, "application/") && strings.HasSuffix(mediaType, "+json"))
}

// field is one required string field of a request body: its JSON name and
// where it was decoded to (nil when the body did not have it).
type field struct {
	name  string
	value *string
}

// requireFields returns 422 naming the first field that the body lacked or
// set to null.
func requireFields(fields ...field) *apiError {
	for _, f := range fields {
		if f.value == nil {
			return unprocessable(fmt.Sprintf("Missing field `%s`", f.name))
		}
	}
	return nil
}
