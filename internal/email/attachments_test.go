package email

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/fault"
)

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"Angebot für Zoë.pdf":      "Angebot für Zoë.pdf",
		"../../etc/passwd":         "passwd",
		`C:\Users\zoe\report.xlsx`: "report.xlsx",
		"bad\x00name\r\n.txt":      "badname.txt",
		"":                         "attachment",
		"/":                        "attachment",
		"\xff\xfe.txt":             "_.txt",
		strings.Repeat("é", 150):   strings.Repeat("é", 100),
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestKeptFiles: a received message's files are kept up to the limits,
// the rest named in a note.
func TestKeptFiles(t *testing.T) {
	small := func(name string, n int) AttachmentInfo {
		return AttachmentInfo{Name: name, Data: bytes.Repeat([]byte("x"), n)}
	}
	for _, tc := range []struct {
		name   string
		in     []AttachmentInfo
		kept   int
		inNote []string
	}{
		{"none", nil, 0, nil},
		{"all small", []AttachmentInfo{small("a.txt", 10), small("b.png", 2000)}, 2, nil},
		{"one too big", []AttachmentInfo{small("a.txt", 10), small("huge.iso", MaxAttachment+1)}, 1, []string{"huge.iso (10485761 bytes)"}},
		{"together too big", []AttachmentInfo{small("1", 9<<20), small("2", 9<<20), small("3", 9<<20)}, 2, []string{"3 ("}},
		{"too many", func() []AttachmentInfo {
			var l []AttachmentInfo
			for range MaxAttachmentCount + 2 {
				l = append(l, small("f", 1))
			}
			return l
		}(), MaxAttachmentCount, []string{"f (1 bytes), f (1 bytes)"}},
	} {
		kept, note := keptFiles(tc.in)
		if len(kept) != tc.kept {
			t.Errorf("%s: kept %d, want %d", tc.name, len(kept), tc.kept)
		}
		if (note == "") != (len(tc.inNote) == 0) {
			t.Errorf("%s: note %q", tc.name, note)
		}
		for _, w := range tc.inNote {
			if !strings.Contains(note, w) {
				t.Errorf("%s: note %q lacks %q", tc.name, note, w)
			}
		}
	}
}

func TestCheckFiles(t *testing.T) {
	err := CheckFiles([]File{{Name: "", Data: []byte("x")}, {Name: "big", Data: make([]byte, MaxAttachment+1)}, {Name: "t", ContentType: "not a type;;", Data: []byte("x")}})
	fe := fault.As(err)
	if fe == nil {
		t.Fatal("bad files passed")
	}
	var fields []string
	for _, f := range fe.Fields {
		fields = append(fields, f.Field)
	}
	if got := strings.Join(fields, " "); got != "attachments[0].name attachments[1] attachments[2].content_type" {
		t.Errorf("fields: %s", got)
	}
	if err := CheckFiles([]File{{Name: "ok.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}}); err != nil {
		t.Error(err)
	}
}
