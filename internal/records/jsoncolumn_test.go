package records

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestStringList(t *testing.T) {
	for _, in := range []string{
		`[]`, ` [ ] `, `["vip"]`, `["vip", "partner"]`, `["a","b","c"]`, `[ "x" , "y" ]`,
		`["é ü"]`, `[""]`, `["a\"b"]`, `["a\u00e9"]`, `["a\\b"]`,
		`["a",]`, `["a" "b"]`, `[1]`, `["a"`, `"a"`, ``, `[,]`, `["a\tb"]`, "[\"a\tb\"]", `null`, `["a"]x`,
	} {
		got, gotErr := stringList(in)
		var want []string
		wantErr := json.Unmarshal([]byte(in), &want)
		agree(t, in, got, gotErr, want, wantErr)
	}
}

// FuzzStringList: the hand-read path agrees with encoding/json, on what it
// reads and on what it refuses.
func FuzzStringList(f *testing.F) {
	for _, s := range []string{`[]`, `["vip", "partner"]`, `["a\"b"]`, `["a",]`, `[1]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, gotErr := stringList(in)
		var want []string
		wantErr := json.Unmarshal([]byte(in), &want)
		agree(t, in, got, gotErr, want, wantErr)
	})
}

func TestCustomObject(t *testing.T) {
	for _, in := range []string{
		`{}`, `{"region_code": "R0042"}`, `{"a":"x","n":1.5,"i":-20,"e":1e5,"b":true,"f":false,"z":null}`,
		` { "a" : "x" , "b" : 2 } `, `{"a":"é"}`, `{"a":"x","a":"y"}`, `{"a":["x","y"]}`, `{"a":{"b":1}}`,
		`{"a":"x\"y"}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":.5}`, `{"a":1e}`, `{"a":+1}`, `{"a":1,}`,
		`{"a"}`, `{"a":}`, `{a:1}`, `{"a":1} trailing`, `{"a":tru}`, `{"a":truex}`, `{"a":nul}`, `{"a":0x1}`, `null`, `[]`, ``,
	} {
		got, gotErr := customObject(in)
		want, wantErr := decoded(in)
		agree(t, in, got, gotErr, want, wantErr)
	}
}

// FuzzCustomObject: the hand-read path agrees with encoding/json.
func FuzzCustomObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":"x","n":1.5,"b":true,"z":null}`, `{"a":"x\"y"}`, `{"a":01}`, `{"a":1,}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, gotErr := customObject(in)
		want, wantErr := decoded(in)
		agree(t, in, got, gotErr, want, wantErr)
	})
}

// decoded is how the column was read before the hand-read path.
func decoded(s string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	err := dec.Decode(&m)
	return m, err
}

// agree fails t unless the hand-read path read in as encoding/json does.
func agree[T any](t *testing.T, in string, got T, gotErr error, want T, wantErr error) {
	t.Helper()
	if (gotErr != nil) != (wantErr != nil) {
		t.Errorf("%q: error %v, encoding/json says %v", in, gotErr, wantErr)
		return
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Errorf("%q: %#v, encoding/json reads %#v", in, got, want)
	}
}
