package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode"

	"github.com/rapport-crm/rapport/internal/fault"
)

// MaxBody bounds a JSON request body.
const MaxBody = 1 << 20

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return readBodyMax(w, r, MaxBody)
}

// readBodyMax is readBody with a limit of its own (an email's attachments).
func readBodyMax(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "application/merge-patch+json" && !strings.HasSuffix(mt, "+json")) {
			return nil, fault.BadRequest("Content-Type: send application/json, not %q", ct)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fault.TooLarge("the body is over %d bytes", limit)
		}
		return nil, fault.BadRequest("body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fault.BadRequest("body: empty, want a JSON object")
	}
	return body, nil
}

// decodeObject reads a JSON object body with numbers kept exact.
func decodeObject(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	return decodeObjectMax(w, r, MaxBody)
}

// decodeObjectMax is decodeObject with a limit of its own.
func decodeObjectMax(w http.ResponseWriter, r *http.Request, limit int64) (map[string]any, error) {
	body, err := readBodyMax(w, r, limit)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonError(err)
	}
	if dec.More() {
		return nil, fault.BadRequest("body: unexpected data after the JSON object at byte %d", dec.InputOffset()+1)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fault.BadRequest("body: want a JSON object")
	}
	return m, nil
}

// decodeInto reads a JSON body into a typed value; unknown fields and
// wrong types are validation errors naming the field.
func decodeInto(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	return decodeBytes(body, v)
}

// decodeBytes is decodeInto of a body already read.
func decodeBytes(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fault.Invalid(fault.FieldError{Field: jsonPath(te.Field), Message: "want " + te.Type.String() + ", got " + te.Value})
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return fault.Invalid(fault.FieldError{Field: strings.Trim(name, `"`), Message: "unknown field"})
		}
		return jsonError(err)
	}
	if dec.More() {
		return fault.BadRequest("body: unexpected data after the JSON object")
	}
	return nil
}

// jsonPath is a decoding error's field path as the JSON names it: without
// the Go names of embedded structs ("Account.smtp.port" → "smtp.port").
func jsonPath(field string) string {
	parts := strings.Split(field, ".")
	out := parts[:0]
	for _, p := range parts {
		if p != "" && unicode.IsUpper(rune(p[0])) {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, ".")
}

func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fault.BadRequest("body: invalid JSON at byte %d: %v", se.Offset, se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fault.BadRequest("body: the JSON ends early")
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fault.BadRequest("body: want a JSON object")
	}
	return fault.BadRequest("body: %v", err)
}
