package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The API's input boundary. Every text a client sends reaches SQL as a
// string; PostgreSQL refuses NUL and invalid UTF-8 in text (SQLSTATE 22021),
// so either would turn a bad request into a 500, and SQLite would store what
// PostgreSQL cannot. They are refused here, once, for every route: the path,
// the query, the headers the API reads, and every string of a JSON body.

// maxJSONDepth bounds the nesting of a request body: our bodies nest three
// levels at most (a pre-shift report a few more).
const maxJSONDepth = 32

// guard refuses requests whose path, query or API headers hold what no
// endpoint accepts, before any handler runs.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkRequest(r); err != nil {
			writeError(w, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// apiHeaders are the request headers whose values reach the database, the
// stream or authentication: printable ASCII only, and once (two
// Authorization headers are ambiguous: a proxy may judge one, we the other).
var apiHeaders = []string{"Authorization", "Idempotency-Key", "Last-Event-ID", csrfHeader}

func checkRequest(r *http.Request) error {
	if !cleanText(r.URL.Path) {
		return badRequest("the URL path holds control characters or invalid UTF-8")
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return badRequest("malformed query string: escape %% as %%25 and give each parameter as name=value")
	}
	for k, vs := range q {
		if len(vs) > 1 {
			return badRequest("query parameter %q given %d times; give it once", k, len(vs))
		}
		if !cleanText(k) || !cleanText(vs[0]) {
			return badRequest("query parameter %q holds control characters or invalid UTF-8", k)
		}
	}
	for _, h := range apiHeaders {
		vs := r.Header.Values(h)
		if len(vs) > 1 {
			return badRequest("header %s given %d times; give it once", h, len(vs))
		}
		if len(vs) == 1 && !printableASCII(vs[0]) {
			return badRequest("header %s must be printable ASCII", h)
		}
	}
	return nil
}

// cleanText reports valid UTF-8 without control characters (C0, DEL, C1).
func cleanText(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for _, c := range v {
		if unicode.IsControl(c) {
			return false
		}
	}
	return true
}

func printableASCII(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < ' ' || v[i] > '~' {
			return false
		}
	}
	return true
}

// decodeJSON parses exactly one JSON value from body into v. The body must
// be valid UTF-8, hold no NUL in any string, no key twice in one object
// (compared as encoding/json matches names, case-insensitively: a second
// "Queue" would silently win over "queue"), and nest at most maxJSONDepth
// levels. Unknown fields are ignored, so an older server accepts a newer
// app's writes.
func decodeJSON(body []byte, v any) error {
	if !utf8.Valid(body) {
		return badRequest("request body is not valid UTF-8")
	}
	if err := checkJSON(body); err != nil {
		return err
	}
	if isStructPtr(v) && bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		// encoding/json leaves the struct as it is: null would pass for {}.
		return badRequest("the body must be a JSON object, not null")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return badRequest("malformed JSON: trailing data after the object")
	}
	return nil
}

// jsonError says which field was wrong, without Go's type names.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "the body"
		}
		return badRequest("%s must be %s, not a JSON %s", field, jsonKind(te.Type), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return badRequest("malformed JSON at byte %d: %v", se.Offset, err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return badRequest("malformed JSON: the body is empty or cut short")
	}
	return badRequest("malformed JSON: %v", err)
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		if t.String() == "time.Time" {
			return "an RFC 3339 time string"
		}
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "another type"
}

// jsonFrame is one open object or array while checkJSON walks a body.
type jsonFrame struct {
	object  bool
	wantKey bool
	keys    map[string]struct{}
}

// checkJSON walks the tokens of body: no NUL in a string, no duplicate key,
// bounded depth.
func checkJSON(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []jsonFrame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if len(stack) > 0 {
				return badRequest("malformed JSON: the body is cut short")
			}
			return nil
		}
		if err != nil {
			return jsonError(err)
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if str, ok := tok.(string); ok {
			if strings.IndexByte(str, 0) >= 0 {
				return badRequest("text in the body holds a NUL character (\\u0000); remove it")
			}
			if top != nil && top.object && top.wantKey {
				k := foldKey(str)
				if _, dup := top.keys[k]; dup {
					return badRequest("key %q appears twice in one object; give it once", str)
				}
				top.keys[k] = struct{}{}
				top.wantKey = false
				continue
			}
		}
		// A value: the next token of an enclosing object is a key again.
		if top != nil && top.object {
			top.wantKey = true
		}
		if d, ok := tok.(json.Delim); ok {
			if len(stack) >= maxJSONDepth {
				return badRequest("the body nests deeper than %d levels", maxJSONDepth)
			}
			f := jsonFrame{object: d == '{', wantKey: d == '{'}
			if f.object {
				f.keys = map[string]struct{}{}
			}
			stack = append(stack, f)
		}
	}
}

// foldKey folds a key the way encoding/json matches names to fields
// (bytes.EqualFold), so two keys that would fill one field compare equal.
func foldKey(k string) string {
	return strings.Map(func(r rune) rune { return unicode.ToUpper(unicode.ToLower(r)) }, k)
}

// isStructPtr says v points to a struct (a request body's object).
func isStructPtr(v any) bool {
	t := reflect.TypeOf(v)
	return t != nil && t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct
}
