package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestStages: a pipeline's stages get readable ids from their names, keep
// the ids they are given, and are refused, naming the stage, when an id,
// a name, a probability or a kind is wrong, or no stage is open.
func TestStages(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ids  []string
		fail string
	}{
		{in: `[{"name":"Lead in","probability":10},{"name":"Won","probability":100,"kind":"won"}]`, ids: []string{"lead-in", "won"}},
		{in: `[{"name":"Démo / Präsentation","probability":40},{"name":"Große Straße","probability":50},{"name":"Łódź","probability":60}]`, ids: []string{"demo-prasentation", "grosse-strasse", "lodz"}},
		{in: `[{"name":"商談","probability":40},{"name":"見積","probability":60}]`, ids: []string{"stage", "stage-2"}},
		{in: `[{"id":"q1","name":"Qualified","probability":25},{"name":"Q1","probability":30}]`, ids: []string{"q1", "q1-2"}},
		{in: `[{"name":"A","probability":10.0}]`, ids: []string{"a"}},
		{in: `[]`, fail: "want 1 to 30 stages"},
		{in: `{}`, fail: "want an array"},
		{in: `[{"name":"A","probability":10},{"name":"a","probability":20}]`, fail: `stage 1: name: "a" is the name of an earlier stage`},
		{in: `[{"id":"x","name":"A","probability":10},{"id":"x","name":"B","probability":20}]`, fail: `stage 1: id: "x" is the id of an earlier stage`},
		{in: `[{"id":"Bad Id","name":"A","probability":10}]`, fail: "stage 0: id: want lower-case letters"},
		{in: `[{"name":"A"}]`, fail: "stage 0: probability: want a whole number from 0 to 100"},
		{in: `[{"name":"A","probability":12.5}]`, fail: "stage 0: probability: want a whole number"},
		{in: `[{"name":"A","probability":-1}]`, fail: "stage 0: probability"},
		{in: `[{"name":"A","probability":"50"}]`, fail: "stage 0: probability"},
		{in: `[{"name":"A","probability":10,"kind":"closed"}]`, fail: "stage 0: kind: want open, won or lost"},
		{in: `[{"name":"A","probability":10,"color":"red"}]`, fail: `stage 0: unknown key "color"`},
		{in: `[{"name":" ","probability":10}]`, fail: "stage 0: name: must be 1 to 80 bytes"},
		{in: `["A"]`, fail: "stage 0: want an object"},
		{in: `[{"name":"Won","probability":100,"kind":"won"},{"name":"Lost","probability":0,"kind":"lost"}]`, fail: "want at least one open stage"},
	} {
		dec := json.NewDecoder(strings.NewReader(tc.in))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		out, err := Convert(&Field{Name: "stages", Kind: Stages}, v)
		if tc.fail != "" {
			if err == nil || !strings.Contains(err.Error(), tc.fail) {
				t.Errorf("%s: error %v, want %q", tc.in, err, tc.fail)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		var ids []string
		for _, st := range out.([]map[string]any) {
			ids = append(ids, st["id"].(string))
			if _, ok := st["probability"].(float64); !ok {
				t.Errorf("%s: probability %T, want float64 (what the stored JSON reads back as)", tc.in, st["probability"])
			}
		}
		if !reflect.DeepEqual(ids, tc.ids) {
			t.Errorf("%s: ids %v, want %v", tc.in, ids, tc.ids)
		}
	}
}
