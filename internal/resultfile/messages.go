package resultfile

import (
	"fmt"
	"slices"

	"github.com/loadgate/loadgate/runner"
)

// messageJSON is one failure message (see runner.Message) in the result
// file: its outcome class, its transport kind (for class transport only),
// its text, how many requests had it, and the request ID of the first
// (run --request-id-header; absent without).
type messageJSON struct {
	Class     string `json:"class"`
	Kind      string `json:"kind,omitempty"`
	Message   string `json:"message"`
	Count     int64  `json:"count"`
	RequestID string `json:"request_id,omitempty"`
}

// Bounds on the messages a result file may hold per endpoint, and on a
// message's length in bytes.
const (
	maxFileMessages    = runner.MaxMessages * (runner.MaxClasses + int(runner.NumTransportKinds))
	maxFileMessageText = 1024
)

// messagesOut writes list, messages of r, for the result file.
func messagesOut(list []runner.Message, r *runner.Result) []messageJSON {
	out := []messageJSON{}
	for _, m := range list {
		j := messageJSON{Class: r.ClassName(m.Class), Message: m.Text, Count: m.Count, RequestID: m.RequestID}
		if m.Class == runner.ClassTransport {
			j.Kind = m.Kind.String()
		}
		out = append(out, j)
	}
	return out
}

// readMessages rebuilds s's messages from a result file: each of a class
// of the run but ok (with a kind for transport, none otherwise), counted,
// not twice, at most runner.MaxMessages per class and kind, and no more
// requests than their class (or kind) has.
func readMessages(in []messageJSON, classes []string, s *runner.EndpointStats) error {
	if len(in) > maxFileMessages {
		return fmt.Errorf("%d messages; at most %d", len(in), maxFileMessages)
	}
	var list []runner.Message
	for _, j := range in {
		m, err := readMessage(j, classes)
		if err != nil {
			return err
		}
		var n, sum int64
		for _, o := range list {
			if o.Class == m.Class && o.Kind == m.Kind {
				if o.Text == m.Text {
					return fmt.Errorf("message %q of %s twice", m.Text, j.Class)
				}
				n, sum = n+1, sum+o.Count
			}
		}
		of := s.Classes[m.Class]
		if m.Class == runner.ClassTransport {
			of = s.Transport[m.Kind]
		}
		if n == runner.MaxMessages || m.Count > of-sum { // sum <= of: no overflow
			return fmt.Errorf("messages of %s %s: more than %d, or more requests (%d) than it has (%d)",
				j.Class, j.Kind, runner.MaxMessages, sum+m.Count, of)
		}
		list = append(list, m)
	}
	s.Messages = list
	return nil
}

// readMessage reads one message of a result file.
func readMessage(j messageJSON, classes []string) (runner.Message, error) {
	m := runner.Message{Text: j.Message, Count: j.Count, RequestID: j.RequestID}
	class := slices.Index(classes, j.Class)
	if class <= int(runner.ClassOK) {
		return m, fmt.Errorf("a message of class %q, which is not a failure class of the run", j.Class)
	}
	m.Class = runner.Class(class)
	kind := -1
	for k := range runner.TransportKind(runner.NumTransportKinds) {
		if k.String() == j.Kind {
			kind = int(k)
		}
	}
	switch {
	case m.Class == runner.ClassTransport && kind < 0:
		return m, fmt.Errorf("a transport message of kind %q, which is not a transport kind", j.Kind)
	case m.Class != runner.ClassTransport && j.Kind != "":
		return m, fmt.Errorf("a message of class %s with a transport kind", j.Class)
	case m.Class == runner.ClassTransport:
		m.Kind = runner.TransportKind(kind)
	}
	if m.Count < 1 || m.Text == "" || len(m.Text) > maxFileMessageText {
		return m, fmt.Errorf("a message of %d requests and %d bytes; a message has a request and 1 to %d bytes", m.Count, len(m.Text), maxFileMessageText)
	}
	if len(m.RequestID) > maxFileMessageText {
		return m, fmt.Errorf("a message's request_id of %d bytes; at most %d", len(m.RequestID), maxFileMessageText)
	}
	return m, nil
}
