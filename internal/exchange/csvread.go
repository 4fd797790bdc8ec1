package exchange

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// CSVReader reads a CSV file as people export it: UTF-8 with or without a
// byte-order mark, or Windows-1252/Latin-1 (told apart field by field: a
// field that is not valid UTF-8 is read as Windows-1252), comma, semicolon
// or tab between fields (the header line decides), quoted fields with
// newlines, CRLF or LF. Memory stays flat: it reads one row at a time.
type CSVReader struct {
	r      *csv.Reader
	Header []string
	Comma  rune
}

// NewCSVReader reads the header row.
func NewCSVReader(r io.Reader) (*CSVReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	peek, _ := br.Peek(64 << 10)
	comma := sniffComma(peek)
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty: a header row is needed")
	}
	if err != nil {
		return nil, err
	}
	for i, h := range head {
		head[i] = strings.TrimSpace(text(h))
	}
	return &CSVReader{r: cr, Header: head, Comma: comma}, nil
}

// Read returns the next row and the line it starts on; io.EOF at the end.
// A row that cannot be parsed is returned with its error, and reading goes
// on with the next one.
func (c *CSVReader) Read() (line int, row []string, err error) {
	row, err = c.r.Read()
	line, _ = c.r.FieldPos(0)
	if err != nil {
		return line, nil, err
	}
	for i, f := range row {
		row[i] = text(f)
	}
	return line, row, nil
}

// text reads a field's bytes as UTF-8, or as Windows-1252 when they are
// not valid UTF-8.
func text(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return out
}

// sniffComma picks the delimiter that the first line uses most, outside
// quotes: comma, semicolon or tab.
func sniffComma(b []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range b {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if !quoted && (c == '\n' || c == '\r') {
			break
		}
		if !quoted && (c == ',' || c == ';' || c == '\t') {
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}
