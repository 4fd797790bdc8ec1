package api

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rapport-crm/rapport/internal/schema"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestOpenAPIGolden pins the document for the built-in objects; run with
// -update after an intended change and review the diff.
func TestOpenAPIGolden(t *testing.T) {
	doc := OpenAPI(schema.Default(), nil, "test")
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "openapi.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/api -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("the OpenAPI document changed; run go test ./internal/api -update and review the diff")
	}
	var parsed map[string]any
	if err := json.Unmarshal(got, &parsed); err != nil || parsed["openapi"] != "3.1.0" {
		t.Fatalf("not an OpenAPI 3.1 document: %v", err)
	}
	paths := parsed["paths"].(map[string]any)
	for _, p := range []string{"/api/v1/contacts", "/api/v1/contacts/{id}", "/api/v1/companies/{id}/timeline", "/api/v1/schema/{object}/fields", "/api/v1/search"} {
		if _, ok := paths[p]; !ok {
			t.Errorf("no path %s", p)
		}
	}
}
