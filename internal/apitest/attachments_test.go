package apitest

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/internal/access"
)

// TestEmailAttachments: files sent with an email go out with it (as
// multipart/mixed) and stay with it, listed and downloadable by those who
// may read the email; bad files are refused naming the file; a received
// message's files are kept too, an inline image with its Content-ID.
func TestEmailAttachments(t *testing.T) {
	e := NewInstall(t)
	addr := e.receiver(t, 1<<20)
	pdf := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 the proposal"))
	e.Run(t, []Scenario{
		{Name: "with files", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 202, Events: 1, Jobs: 1, Save: "m",
			Body: `{"to":["ada@example.com"],"subject":"The proposal","body_html":"<p>Attached.</p>","attachments":[` +
				`{"name":"Angebot für Zoë.pdf","content_type":"application/pdf","content_base64":"` + pdf + `"},{"name":"notes.txt","content_base64":"bm90ZXM="}]}`},
		{Name: "not base64", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 422,
			Body: `{"to":["ada@example.com"],"subject":"x","body_html":"x","attachments":[{"name":"a","content_base64":"%%%"}]}`, Contains: []string{`"field":"attachments[0].content_base64"`}},
		{Name: "no name, unknown key", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 422,
			Body:     `{"to":["ada@example.com"],"subject":"x","body_html":"x","attachments":[{"content_base64":"eA==","colour":"red"}]}`,
			Contains: []string{`"field":"attachments[0].colour"`}},
		{Name: "no name", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 422,
			Body: `{"to":["ada@example.com"],"subject":"x","body_html":"x","attachments":[{"content_base64":"eA=="}]}`, Contains: []string{`"field":"attachments[0].name"`}},
		{Name: "not a list", Role: access.Sales, Method: "POST", Path: "/api/v1/emails", Status: 422,
			Body: `{"to":["ada@example.com"],"subject":"x","body_html":"x","attachments":"file.pdf"}`, Contains: []string{`"field":"attachments"`}},
		{Name: "listed", Role: access.Sales, Method: "GET", Path: "/api/v1/emails/{{m}}/attachments", Status: 200,
			Contains: []string{`"name":"Angebot für Zoë.pdf"`, `"content_type":"application/pdf"`, `"size":21`, `"name":"notes.txt"`, `"content_type":"text/plain; charset=utf-8"`}},
	})
	big := strings.Repeat("A", (10<<20)/3*4+8)
	r := e.Do(access.Sales, "POST", "/api/v1/emails", `{"to":["ada@example.com"],"subject":"x","body_html":"x","attachments":[{"name":"big.bin","content_base64":"`+big+`"}]}`, nil)
	if r.Status != 422 || !strings.Contains(string(r.Body), `"field":"attachments[0]"`) || !strings.Contains(string(r.Body), "over 10 MiB") {
		t.Fatalf("a file over 10 MiB: %d %s", r.Status, r.Body)
	}
	drain(t, e)
	msgs := e.Mail.Messages()
	if len(msgs) != 1 {
		t.Fatalf("sent %d", len(msgs))
	}
	for _, want := range []string{"multipart/mixed", "multipart/alternative", "Content-Type: application/pdf", "JVBERi0xLjQgdGhlIHByb3Bvc2Fs", `filename="notes.txt"`} {
		if !strings.Contains(msgs[0].Data, want) {
			t.Errorf("the mail lacks %q", want)
		}
	}
	list := e.Do(access.Sales, "GET", "/api/v1/emails/"+e.Vars["m"]+"/attachments", "", nil)
	first := list.JSON["data"].([]any)[0].(map[string]any)
	req, _ := http.NewRequest("GET", e.Server.URL+"/api/v1/emails/"+e.Vars["m"]+"/attachments/"+first["id"].(string), nil)
	req.Header.Set("Authorization", "Bearer "+e.Keys[access.Support])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "%PDF-1.4 the proposal" || resp.Header.Get("Content-Disposition") != `attachment; filename*=utf-8''Angebot%20f%C3%BCr%20Zo%C3%AB.pdf` ||
		resp.Header.Get("Content-Security-Policy") != "sandbox" {
		t.Fatalf("download: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	e.Run(t, []Scenario{
		{Name: "no such file", Role: access.Sales, Method: "GET", Path: "/api/v1/emails/{{m}}/attachments/nope", Status: 404},
		{Name: "no such email", Role: access.Sales, Method: "GET", Path: "/api/v1/emails/nope/attachments", Status: 404},
	})

	// Received: a file and an inline image.
	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\nimage"))
	msg := fmt.Sprintf("From: Ada <ada@example.com>\r\nTo: sales@crm.example\r\nSubject: Signed\r\nMessage-ID: <att-1@example.com>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\nContent-Type: multipart/related; boundary=rel\r\n\r\n"+
		"--rel\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>Signed, see <img src=\"cid:sig@example.com\"></p>\r\n"+
		"--rel\r\nContent-Type: image/png\r\nContent-ID: <sig@example.com>\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: inline\r\n\r\n%s\r\n--rel--\r\n"+
		"--outer\r\nContent-Type: application/pdf; name=\"contract.pdf\"\r\nContent-Disposition: attachment; filename=\"contract.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n--outer--\r\n", png, pdf)
	if out, err := swaks(t, addr, "ada@example.com", "sales@crm.example", []byte(msg)); err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	drain(t, e)
	got := lastEmail(t, e, `message_id = "<att-1@example.com>"`)
	e.Vars["in"] = got.ID()
	e.Run(t, []Scenario{{Name: "received files", Role: access.Sales, Method: "GET", Path: "/api/v1/emails/{{in}}/attachments", Status: 200,
		Contains: []string{`"content_type":"image/png"`, `"content_id":"sig@example.com"`, `"name":"contract.pdf"`, `"size":21`}}})
}

// TestWebEmailAttachment: on a contact's page a rep attaches a file to an
// email; it goes out with the mail, and the email's page lists it for
// download.
func TestWebEmailAttachment(t *testing.T) {
	e := NewInstall(t)
	e.Run(t, []Scenario{{Name: "ada", Method: "POST", Path: "/api/v1/contacts", Body: `{"first_name":"Ada","email":"ada@example.com"}`, Status: 201, Events: 1, Save: "ada"}})
	b := e.browser(t, access.Sales)
	_, doc := b.get("/contacts/{{ada}}")
	if enc, _ := doc.Find(`form[action="/emails/write"]`).Attr("enctype"); enc != "multipart/form-data" {
		t.Fatalf("the compose form's enctype: %q", enc)
	}
	form := formOf(doc, `form[action="/emails/write"]`)
	form.Set("subject", "The plan")
	form.Set("message", "Attached.")
	b.postFiles("/emails/write", form, map[string]string{"plan för Q1.txt": "the plan, in full"})
	drain(t, e)
	msgs := e.Mail.Messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Data, "dGhlIHBsYW4sIGluIGZ1bGw=") {
		t.Fatalf("the mail: %+v", msgs)
	}
	sent := lastEmail(t, e, `direction = "out"`)
	_, doc = b.get("/emails/" + sent.ID())
	link := doc.Find(`.files a`)
	if link.Text() != "plan för Q1.txt" || !strings.Contains(text(doc, ".files"), "17 B") {
		t.Fatalf("the files on the email's page: %q", text(doc, ".files"))
	}
	href, _ := link.Attr("href")
	resp, err := b.c.Get(e.Server.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(data) != "the plan, in full" {
		t.Fatalf("download: %q", data)
	}
}
