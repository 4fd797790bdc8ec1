package mail

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
	gomail "github.com/wneessen/go-mail"
)

// DKIM signs outgoing mail for a domain (RFC 6376): rsa-sha256 or
// ed25519-sha256, relaxed canonicalisation, over the headers a receiver
// shows and threads by.
type DKIM struct {
	Domain   string
	Selector string
	Signer   crypto.Signer
}

// ParseDKIMKey reads a PEM private key (PKCS#1 or PKCS#8, RSA or
// Ed25519) for the domain and selector.
func ParseDKIMKey(pemData []byte, domain, selector string) (*DKIM, error) {
	if domain == "" || selector == "" {
		return nil, errors.New("DKIM: a domain and a selector are needed")
	}
	block, _ := pem.Decode(pemData)
	if block == nil {
		return nil, errors.New("DKIM: the key is not PEM")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("DKIM: a %q block is no private key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("DKIM key: %w", err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return &DKIM{Domain: strings.ToLower(domain), Selector: selector, Signer: k}, nil
	case ed25519.PrivateKey:
		return &DKIM{Domain: strings.ToLower(domain), Selector: selector, Signer: k}, nil
	}
	return nil, fmt.Errorf("DKIM: a %T key cannot sign", key)
}

// signedHeaders are the headers the signature covers.
var signedHeaders = []string{"From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
	"Content-Type", "MIME-Version"}

// sign adds a DKIM-Signature to msg when its sender is of the key's
// domain (or a subdomain): a signature for another domain would not align
// with the From a receiver checks.
func (d *DKIM) sign(msg *gomail.Msg) error {
	from := msg.GetFromString()
	if len(from) == 0 {
		return nil
	}
	a, err := mail.ParseAddress(from[0])
	if err != nil {
		return nil
	}
	_, domain, _ := strings.Cut(strings.ToLower(a.Address), "@")
	if domain != d.Domain && !strings.HasSuffix(domain, "."+d.Domain) {
		return nil
	}
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		return fmt.Errorf("DKIM: write message: %w", err)
	}
	var signed bytes.Buffer
	opts := &dkim.SignOptions{Domain: d.Domain, Selector: d.Selector, Signer: d.Signer, Hash: crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed, HeaderKeys: signedHeaders}
	if err := dkim.Sign(&signed, &raw, opts); err != nil {
		return fmt.Errorf("DKIM: sign: %w", err)
	}
	// The signature is the first header of what Sign wrote, folded as it
	// was; the message writes the same bytes again (its boundaries and
	// date are fixed now).
	sig, err := firstHeader(signed.Bytes(), "DKIM-Signature")
	if err != nil {
		return err
	}
	msg.SetGenHeaderPreformatted("DKIM-Signature", sig)
	return nil
}

// firstHeader returns the value of the message's first header, which must
// be name, with its folding kept.
func firstHeader(msg []byte, name string) (string, error) {
	value, ok := bytes.CutPrefix(msg, []byte(name+":"))
	if !ok {
		return "", fmt.Errorf("DKIM: no %s was made", name)
	}
	end := 0
	for {
		i := bytes.Index(value[end:], []byte("\r\n"))
		if i < 0 {
			return "", fmt.Errorf("DKIM: %s does not end", name)
		}
		end += i + 2
		if end >= len(value) || (value[end] != ' ' && value[end] != '\t') {
			return strings.TrimSpace(string(value[:end-2])), nil
		}
	}
}
