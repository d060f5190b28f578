package apiserver

import "net/http"

// errorKind classifies a failed request in the logs.
type errorKind string

const (
	kindLockTimeout errorKind = "storage_lock_timeout"
	kindAuth        errorKind = "auth_error"
	kindValidation  errorKind = "validation_error"
	kindConflict    errorKind = "conflict"
	kindOverloaded  errorKind = "overloaded"
	kindInternal    errorKind = "internal_error"
	// kindClientClosed is a request whose client went away while it waited
	// for the storage lock; nobody reads its answer.
	kindClientClosed errorKind = "client_closed"
)

// The bodies of the two 503s. The lock-timeout text is the seed service's and
// matches loadgate's default lock-timeout rule; the overload text must not.
const (
	msgLockTimeout = "Service temporarily busy, please retry"
	msgOverloaded  = "Too many concurrent logins, please retry"
)

// apiError is a failed request: the status, the JSON {"error": message} body,
// the kind it is logged as, and whether the answer carries Retry-After: 1.
type apiError struct {
	status     int
	kind       errorKind
	message    string
	retryAfter bool
}

// Error lets an *apiError travel out of store.with as an error.
func (e *apiError) Error() string { return e.message }

func badRequest(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, kind: kindValidation, message: msg}
}

func unprocessable(msg string) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, kind: kindValidation, message: msg}
}

func conflict(msg string) *apiError {
	return &apiError{status: http.StatusConflict, kind: kindConflict, message: msg}
}

var (
	errInvalidCredentials = &apiError{status: http.StatusUnauthorized, kind: kindAuth, message: "Invalid credentials"}
	errUnauthorized       = &apiError{status: http.StatusUnauthorized, kind: kindAuth, message: "Missing or invalid token"}
	errBusy               = &apiError{status: http.StatusServiceUnavailable, kind: kindLockTimeout, message: msgLockTimeout, retryAfter: true}
	errOverloaded         = &apiError{status: http.StatusServiceUnavailable, kind: kindOverloaded, message: msgOverloaded, retryAfter: true}
	errInternal           = &apiError{status: http.StatusInternalServerError, kind: kindInternal, message: "Internal server error"}
	errClientClosed       = &apiError{status: 499, kind: kindClientClosed, message: "Client closed the request"}
)
