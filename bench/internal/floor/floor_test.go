package floor

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

func TestPostIsWrittenToTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "floor.log")
	s, err := Start(path)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{}
	for _, body := range []string{"first,", "second"} {
		if err := Post(client, s.URL, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "first,second" {
		t.Fatalf("file holds %q (%v), want the two bodies in order", got, err)
	}
}

func TestPostReportsAFailedWrite(t *testing.T) {
	s, err := Start(filepath.Join(t.TempDir(), "floor.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.srv.Close()
	s.f.Close() // the next write fails: the server must answer 500, not ok
	if err := Post(&http.Client{}, s.URL, []byte("x")); err == nil {
		t.Fatal("Post succeeded although the server could not write")
	}
}
