package schema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// StageKinds are the kinds of a pipeline's stage: a deal in an open stage
// is still being worked, one in a won or lost stage is closed.
var StageKinds = []string{"open", "won", "lost"}

// MaxStages bounds a pipeline's stages.
const MaxStages = 30

var stageIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,47}$`)

// toStages reads a pipeline's stages: an ordered array of
// {"id", "name", "probability" (0..100), "kind" (open, won or lost)}. A
// stage without an id gets one made from its name, so that a new
// pipeline's stages have readable ids ("qualified"); ids and names are
// unique, and at least one stage is open.
func toStages(v any) (any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, wantType(`an array of {"name", "probability", "kind"}`, v)
	}
	if len(list) == 0 || len(list) > MaxStages {
		return nil, fmt.Errorf("want 1 to %d stages", MaxStages)
	}
	out := make([]map[string]any, 0, len(list))
	ids, names := map[string]bool{}, map[string]bool{}
	open := false
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("stage %d: %s", i, wantType("an object", x))
		}
		for k := range m {
			if k != "id" && k != "name" && k != "probability" && k != "kind" {
				return nil, fmt.Errorf("stage %d: unknown key %q (known: id, name, probability, kind)", i, k)
			}
		}
		name, _ := m["name"].(string)
		name = strings.TrimSpace(name)
		if name == "" || len(name) > 80 {
			return nil, fmt.Errorf("stage %d: name: must be 1 to 80 bytes", i)
		}
		if names[strings.ToLower(name)] {
			return nil, fmt.Errorf("stage %d: name: %q is the name of an earlier stage", i, name)
		}
		names[strings.ToLower(name)] = true
		p, err := probability(m["probability"])
		if err != nil {
			return nil, fmt.Errorf("stage %d: probability: %w", i, err)
		}
		kind := "open"
		if k, given := m["kind"]; given && k != nil {
			if kind, ok = k.(string); !ok || !slices.Contains(StageKinds, kind) {
				return nil, fmt.Errorf("stage %d: kind: want open, won or lost", i)
			}
		}
		open = open || kind == "open"
		id, _ := m["id"].(string)
		if m["id"] != nil && !stageIDPattern.MatchString(id) {
			return nil, fmt.Errorf("stage %d: id: want lower-case letters, digits, - and _ (at most 48)", i)
		}
		if id == "" {
			id = freeStageID(slug(name), ids)
		}
		if ids[id] {
			return nil, fmt.Errorf("stage %d: id: %q is the id of an earlier stage", i, id)
		}
		ids[id] = true
		out = append(out, map[string]any{"id": id, "name": name, "probability": p, "kind": kind})
	}
	if !open {
		return nil, fmt.Errorf("want at least one open stage, for deals being worked")
	}
	return out, nil
}

// probability reads a whole percentage, as a float64: what the stored
// JSON reads back as.
func probability(v any) (float64, error) {
	var x float64
	switch t := v.(type) {
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return 0, fmt.Errorf("want a whole number from 0 to 100")
		}
		x = f
	case float64:
		x = t
	case int:
		x = float64(t)
	case int64:
		x = float64(t)
	default:
		return 0, fmt.Errorf("want a whole number from 0 to 100")
	}
	if x < 0 || x > 100 || x != float64(int(x)) {
		return 0, fmt.Errorf("want a whole number from 0 to 100")
	}
	return x, nil
}

// slug makes a stage id from its name: "Proposal sent" → "proposal-sent",
// "Démo" → "demo" (letters lose their accents; others separate words).
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.NewReplacer("ß", "ss", "ø", "o", "ł", "l", "æ", "ae", "œ", "oe", "đ", "d").Replace(strings.ToLower(name))) {
		if unicode.Is(unicode.Mn, r) {
			continue // an accent, apart from its letter
		}
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	return b.String()
}

// freeStageID is base, or base with a number, that no stage in taken has
// ("stage" when the name gave no letters).
func freeStageID(base string, taken map[string]bool) string {
	if base == "" {
		base = "stage"
	}
	id := base
	for n := 2; taken[id]; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	return id
}

// MaxRelations bounds the records one relation list holds.
const MaxRelations = 100

// toRelations reads a list of record ids, dropping repeats.
func toRelations(v any) (any, error) {
	list, ok := v.([]any)
	if !ok {
		if ids, isStrings := v.([]string); isStrings {
			list = make([]any, len(ids))
			for i, id := range ids {
				list[i] = id
			}
		} else {
			return nil, wantType("an array of record ids", v)
		}
	}
	if len(list) > MaxRelations {
		return nil, fmt.Errorf("more than %d records", MaxRelations)
	}
	out := make([]string, 0, len(list))
	for i, x := range list {
		id, ok := x.(string)
		if id = strings.TrimSpace(id); !ok || id == "" || len(id) > 64 {
			return nil, fmt.Errorf("item %d: want a record id", i)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
