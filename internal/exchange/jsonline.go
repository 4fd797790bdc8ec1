package exchange

import (
	"bufio"
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/internal/records"
)

// jsonWriter writes one record per line as a JSON object with its keys in
// order, byte for byte what encoding/json writes without HTML escaping,
// but without reflection or sorting the keys of every record: the keys of
// the last record are kept while the next has the same.
type jsonWriter struct {
	bw   *bufio.Writer
	keys []string
	buf  []byte
	fall bytes.Buffer
	enc  *json.Encoder
}

func newJSONWriter(bw *bufio.Writer) *jsonWriter {
	j := &jsonWriter{bw: bw}
	j.enc = json.NewEncoder(&j.fall)
	j.enc.SetEscapeHTML(false)
	return j
}

func (j *jsonWriter) Close() error { return j.bw.Flush() }

func (j *jsonWriter) Write(rec records.Record) error {
	if !sameKeys(j.keys, rec) {
		j.keys = j.keys[:0]
		for k := range rec {
			j.keys = append(j.keys, k)
		}
		slices.Sort(j.keys)
	}
	b := append(j.buf[:0], '{')
	for i, k := range j.keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		var err error
		if b, err = j.appendValue(b, rec[k]); err != nil {
			return err
		}
	}
	b = append(b, '}', '\n')
	j.buf = b
	_, err := j.bw.Write(b)
	return err
}

func sameKeys(keys []string, rec records.Record) bool {
	if len(keys) != len(rec) {
		return false
	}
	for _, k := range keys {
		if _, ok := rec[k]; !ok {
			return false
		}
	}
	return true
}

// appendValue writes the common kinds of values itself and leaves the
// rest (numbers with fractions, lists, structures) to encoding/json.
func (j *jsonWriter) appendValue(b []byte, v any) ([]byte, error) {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, t), nil
	case bool:
		return strconv.AppendBool(b, t), nil
	case int64:
		return strconv.AppendInt(b, t, 10), nil
	case time.Time:
		if y := t.Year(); y >= 0 && y < 10000 {
			b = append(b, '"')
			b = t.AppendFormat(b, time.RFC3339Nano)
			return append(b, '"'), nil
		}
	}
	j.fall.Reset()
	if err := j.enc.Encode(v); err != nil {
		return b, err
	}
	return append(b, bytes.TrimSuffix(j.fall.Bytes(), []byte{'\n'})...), nil
}

// appendJSONString quotes s as encoding/json does with HTML escaping off:
// quotes, backslashes and control characters escaped, invalid UTF-8 as
// U+FFFD, and U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
