// SPDX-License-Identifier: Apache-2.0

// Package floor is the benchmarks' floor: an HTTP server that appends each
// request body to a file and fsyncs it before answering. It is what durable
// receipt of a message costs over loopback HTTP with no checks, no crypto
// and no database, so a benchmark prints art35's figure beside it.
package floor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
)

// maxBody bounds one request body; the benchmarks send envelopes of a few
// kilobytes.
const maxBody = 16 << 20

// Server is one running floor server on 127.0.0.1.
type Server struct {
	// URL is where to POST, "http://127.0.0.1:PORT/".
	URL string

	srv *http.Server
	f   *os.File
	mu  sync.Mutex // one write+fsync at a time, as a log would
}

// Start creates (or truncates) the file at path and serves on a free
// loopback port until Close.
func Start(path string) (*Server, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("floor: %w", err)
	}
	s := &Server{URL: "http://" + l.Addr().String() + "/", f: f}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve)}
	go s.srv.Serve(l)
	return s, nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err == nil {
		s.mu.Lock()
		_, err = s.f.Write(body)
		if err == nil {
			err = s.f.Sync()
		}
		s.mu.Unlock()
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write([]byte("ok"))
}

// Close stops the server and closes its file.
func (s *Server) Close() error {
	return errors.Join(s.srv.Close(), s.f.Close())
}

// Post sends body to url with client and reads the answer to the end, so
// the connection is reused; a status other than 200 is an error.
func Post(client *http.Client, url string, body []byte) error {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("floor: %s answered %s", url, resp.Status)
	}
	return nil
}
