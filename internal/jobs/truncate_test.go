package jobs

import "testing"

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"Zoë", 3, "Zo"}, // not half a ë
		{"bad \x80 byte", 20, "bad \uFFFD byte"},
		{"nul\x00here", 20, "nulhere"},
	} {
		if got := truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
