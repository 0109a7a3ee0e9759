package notifytest

import (
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
)

type mimeDecoder struct{ mime.WordDecoder }

func (d *mimeDecoder) decode(s string) (string, error) { return d.DecodeHeader(s) }

func decodeQP(r io.Reader) string {
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") // DATA ends with a line break
}
