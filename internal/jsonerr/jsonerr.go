// Package jsonerr words encoding/json's decoding errors for the people who
// wrote the JSON: billingconn's definitions and profiles, the onboarding
// page's API.
package jsonerr

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Text describes a JSON decoding error in the input's own terms: the
// JSON field and the value's JSON type, never a Go struct or type name.
// goPrefix is the path of an embedded Go struct to drop from field names.
func Text(err error, goPrefix string) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		want := "a string"
		switch te.Type.Kind() {
		case reflect.Bool:
			want = "true or false"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			want = "a number"
		case reflect.Slice, reflect.Array:
			want = "a list"
		case reflect.Map, reflect.Struct, reflect.Pointer:
			want = "an object"
		}
		if f := strings.TrimPrefix(te.Field, goPrefix); f != "" {
			return fmt.Sprintf("field %q must be %s, not %s", f, want, te.Value)
		}
		return fmt.Sprintf("must be %s, not %s", want, te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}
