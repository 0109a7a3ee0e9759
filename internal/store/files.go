package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// createPrivate creates an empty SQLite database file with mode 0600 when
// none exists, before SQLite opens it: SQLite would create it 0644 (less
// the umask), and the database holds personal data and account secrets.
// SQLite gives its -wal and -shm files the mode of the database file.
func createPrivate(path string) error {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.Contains(path, "mode=memory") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("database: create %s: %w", path, err)
	}
	return f.Close()
}
