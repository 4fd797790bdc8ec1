package api

import (
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/rapport-crm/rapport/internal/auth"
	"github.com/rapport-crm/rapport/internal/email"
	"github.com/rapport-crm/rapport/internal/fault"
)

// sendEmail writes an email and queues it: 202 {"id", "status": "queued"}
// and the email; GET /api/v1/emails/{id} follows its delivery.
func (d *Deps) sendEmail(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	// Room for the largest attachments, base64-encoded, and the message.
	in, err := decodeObjectMax(w, r, email.MaxAttachmentTotal*4/3+MaxBody)
	if err != nil {
		return err
	}
	files, err := attachmentsOf(in)
	if err != nil {
		return err
	}
	rec, err := d.Email.Write(r.Context(), id.Principal, in, files)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/emails/"+rec.ID())
	out := map[string]any{}
	for k, v := range rec {
		out[k] = v
	}
	writeJSON(w, http.StatusAccepted, out)
	return nil
}

// previewTemplate fills a template for a record (?object=contacts&id=…),
// as the caller would send it: {"subject", "body_html", "body_text"}.
func (d *Deps) previewTemplate(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, map[string]bool{"object": true, "id": true}); err != nil {
		return err
	}
	if (q.Get("object") == "") != (q.Get("id") == "") {
		return fault.BadRequest("object and id: give both, or neither")
	}
	out, err := d.Email.Preview(r.Context(), id.Principal, r.PathValue("id"), q.Get("object"), q.Get("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// attachmentsOf takes an email's attachments out of its body:
// [{"name", "content_type", "content_base64"}].
func attachmentsOf(in map[string]any) ([]email.File, error) {
	raw, ok := in["attachments"]
	if !ok {
		return nil, nil
	}
	delete(in, "attachments")
	list, ok := raw.([]any)
	if !ok {
		return nil, fault.Invalid(fault.FieldError{Field: "attachments", Message: "want a list of {name, content_type, content_base64}"})
	}
	var files []email.File
	var errs []fault.FieldError
	for i, item := range list {
		field := fmt.Sprintf("attachments[%d]", i)
		m, ok := item.(map[string]any)
		if !ok {
			errs = append(errs, fault.FieldError{Field: field, Message: "want an object {name, content_type, content_base64}"})
			continue
		}
		var f email.File
		for k, v := range m {
			s, isString := v.(string)
			switch k {
			case "name", "content_type", "content_base64":
				if !isString {
					errs = append(errs, fault.FieldError{Field: field + "." + k, Message: "want a string"})
					continue
				}
			default:
				errs = append(errs, fault.FieldError{Field: field + "." + k, Message: "unknown field"})
				continue
			}
			switch k {
			case "name":
				f.Name = s
			case "content_type":
				f.ContentType = s
			case "content_base64":
				data, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					errs = append(errs, fault.FieldError{Field: field + ".content_base64", Message: "is not base64: " + err.Error()})
				}
				f.Data = data
			}
		}
		if _, ok := m["content_base64"]; !ok {
			errs = append(errs, fault.FieldError{Field: field + ".content_base64", Message: "is required"})
		}
		files = append(files, f)
	}
	if len(errs) > 0 {
		return nil, fault.Invalid(errs...)
	}
	return files, email.CheckFiles(files)
}

// emailAttachments lists an email's files: {"data": [{"id", "name",
// "content_type", "size"}]}.
func (d *Deps) emailAttachments(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	list, err := d.Email.Attachments(r.Context(), id.Principal, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": list})
	return nil
}

// emailAttachment downloads one of an email's files.
func (d *Deps) emailAttachment(w http.ResponseWriter, r *http.Request, id *auth.Identity) error {
	a, err := d.Email.AttachmentFile(r.Context(), id.Principal, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		return err
	}
	email.ServeFile(w, a)
	return nil
}
