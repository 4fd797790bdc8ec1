package email

import (
	"encoding/base64"
	"io"
	"strings"
)

// base64Reader decodes base64 as mail carries it: in lines, with any
// whitespace between them ignored.
func base64Reader(r io.Reader) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, &stripSpace{r: r})
}

type stripSpace struct{ r io.Reader }

func (s *stripSpace) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		if n == 0 {
			return 0, err
		}
		kept := 0
		for _, c := range p[:n] {
			if !strings.ContainsRune(" \t\r\n", rune(c)) {
				p[kept] = c
				kept++
			}
		}
		if kept > 0 || err != nil {
			return kept, err
		}
	}
}
