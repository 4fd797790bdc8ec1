package exchange

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func readCards(t *testing.T, name string) []*Card {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vr := NewVCardReader(f)
	var out []*Card
	for {
		c, err := vr.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
}

func TestVCardIPhone(t *testing.T) {
	cs := readCards(t, "iphone.vcf")
	if len(cs) != 1 {
		t.Fatalf("%d cards", len(cs))
	}
	c := cs[0]
	for k, want := range map[string]string{"first_name": "Ada", "last_name": "Lovelace", "email": "ada@engines.example", "phone": "+44 20 7946 0000", "title": "Countess"} {
		if c.In[k] != want {
			t.Errorf("%s = %v, want %q", k, c.In[k], want)
		}
	}
	addr, _ := c.In["address"].(map[string]any)
	if addr["street"] != "12 St James, Square" || addr["city"] != "London" || addr["postal_code"] != "SW1Y 4JH" || addr["country"] != "United Kingdom" {
		t.Errorf("address: %v", addr)
	}
	if c.Company != "Analytical Engines Ltd" || len(c.Notes) != 1 || c.Notes[0] != "Met at the Royal Society.\nLikes poetry." {
		t.Errorf("company %q notes %q", c.Company, c.Notes)
	}
	dropped := strings.Join(c.Dropped, "|")
	if !strings.Contains(dropped, "ada.private@mail.example") || !strings.Contains(dropped, "PHOTO") || !strings.Contains(dropped, "BDAY: 1815-12-10") {
		t.Errorf("dropped: %q", dropped)
	}
	if tags, _ := c.In["tags"].([]any); len(tags) != 2 || tags[1] != "speaker" {
		t.Errorf("tags: %v", c.In["tags"])
	}
}

func TestVCardOutlook21(t *testing.T) {
	c := readCards(t, "outlook-21.vcf")[0]
	if c.In["first_name"] != "Jürgen" || c.In["last_name"] != "Müller" || c.In["title"] != "Geschäftsführer" || c.Company != "Müller & Söhne GmbH" {
		t.Errorf("charsets: %v %q", c.In, c.Company)
	}
	if addr, _ := c.In["address"].(map[string]any); addr["street"] != "Hauptstraße 1" {
		t.Errorf("quoted-printable latin-1 address: %v", addr)
	}
	if len(c.Notes) != 1 || c.Notes[0] != "Ruft lieber vormittags an. Sehr langer Text, der in der nächsten Zeile weitergeht." {
		t.Errorf("soft line break: %q", c.Notes)
	}
	if c.In["phone"] != "030 1234567" || c.In["email"] != "juergen@mueller.example" {
		t.Errorf("bare 2.1 parameters: %v", c.In)
	}
}

func TestVCardAndroidAnd40(t *testing.T) {
	cs := readCards(t, "android-mixed.vcf")
	if len(cs) != 3 {
		t.Fatalf("%d cards", len(cs))
	}
	if cs[0].In["first_name"] != "Zoë" || cs[0].In["phone"] != "+49 89 7654321" {
		t.Errorf("android: %v", cs[0].In)
	}
	if len(cs[1].In) != 0 {
		t.Errorf("an empty card: %v", cs[1].In)
	}
	if cs[2].In["phone"] != "+1-202-555-0100" || cs[2].In["last_name"] != "Hopper" || cs[2].Line != 12 {
		t.Errorf("4.0: %v line %d", cs[2].In, cs[2].Line)
	}
}

func FuzzVCardReader(f *testing.F) {
	for _, name := range []string{"iphone.vcf", "outlook-21.vcf", "android-mixed.vcf"} {
		b, _ := os.ReadFile("testdata/" + name)
		f.Add(b)
	}
	f.Add([]byte("BEGIN:VCARD\nN;ENCODING=QUOTED-PRINTABLE:=\n=\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		vr := NewVCardReader(strings.NewReader(string(data)))
		for i := 0; i < 1000; i++ {
			if _, err := vr.Read(); err != nil {
				return
			}
		}
	})
}
