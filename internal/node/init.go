// Package node builds a running art35 node from its configuration: it
// checks the keys, opens and migrates the database, loads the directory and
// serves HTTP. Init creates a new node's data folder. Tests and the test
// network drive New/Run/Close directly, without flags.
package node

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/art35/art35/internal/apperr"
	"github.com/art35/art35/internal/config"
	"github.com/art35/art35/internal/keys"
)

// PublicEntry is what a new node sends to the secretariat to be listed in
// the directory: who it speaks for, where it is reached, and its public
// keys. It holds nothing secret.
type PublicEntry struct {
	Party     string `json:"party"`
	Authority string `json:"authority"`
	// Role is the authority's role in the directory; empty means the 24/7
	// point of contact ("provider" for a service provider's node).
	Role           string     `json:"role,omitempty"`
	Endpoint       string     `json:"endpoint"`
	TLSFingerprint string     `json:"tls_fingerprint"`
	Keys           []EntryKey `json:"keys"`
	Created        time.Time  `json:"created"`
}

// EntryKey is one public key of a PublicEntry.
type EntryKey struct {
	Use       string    `json:"use"` // signing or encryption
	ID        string    `json:"id"`
	Public    string    `json:"public"`
	ValidFrom time.Time `json:"valid_from"`
}

// Init creates a node's data folder: the config file, an Ed25519 signing
// key, an X25519 encryption key and a self-signed TLS certificate (peers pin
// its fingerprint from the directory, so no public CA is needed). It refuses
// a folder that already holds a node, and on any failure removes what it
// created, so a half-made node is never left behind.
func Init(cfg config.Config, now time.Time) (entry PublicEntry, err error) {
	if err := cfg.Validate(); err != nil {
		return entry, err
	}
	cfg = cfg.Derived()
	if _, err := os.Stat(filepath.Join(cfg.DataDir, config.FileName)); err == nil {
		return entry, apperr.Errorf(apperr.EConflict, "%s already holds a node (it has %s); choose another --data folder", cfg.DataDir, config.FileName)
	}
	created := []string{}
	defer func() {
		if err != nil {
			for i := len(created) - 1; i >= 0; i-- {
				os.Remove(created[i])
			}
		}
	}()
	for _, d := range []string{cfg.DataDir, cfg.Path("keys")} {
		if err := os.Mkdir(d, 0o700); err != nil {
			if !errors.Is(err, fs.ErrExist) {
				return entry, fmt.Errorf("create %s: %w", d, err)
			}
		} else {
			created = append(created, d)
		}
		// A folder that existed keeps its mode unless made private: the
		// node refuses to start from one that others may open.
		if err := os.Chmod(d, 0o700); err != nil {
			return entry, fmt.Errorf("make %s private: %w", d, err)
		}
	}
	sigPub, sigPriv, err := keys.GenerateSigning()
	if err != nil {
		return entry, err
	}
	encPriv, err := keys.GenerateEncryption()
	if err != nil {
		return entry, err
	}
	if err := keys.WritePrivate(cfg.Path(config.SigningKeyFile), sigPriv); err != nil {
		return entry, err
	}
	created = append(created, cfg.Path(config.SigningKeyFile))
	if err := keys.WritePrivate(cfg.Path(config.EncryptionKeyFile), encPriv); err != nil {
		return entry, err
	}
	created = append(created, cfg.Path(config.EncryptionKeyFile))
	fp, err := writeTLS(cfg, now)
	if err != nil {
		return entry, err
	}
	created = append(created, cfg.Path(config.TLSKeyFile), cfg.Path(config.TLSCertFile))
	if err := cfg.Write(); err != nil {
		return entry, err
	}
	sigText, encText := keys.FormatSigningPublic(sigPub), keys.FormatEncryptionPublic(encPriv.PublicKey())
	// Envelope times are whole seconds: a key valid from a fraction of a
	// second later than the first envelope it signs would refuse it.
	from := now.UTC().Truncate(time.Second)
	return PublicEntry{
		Party: cfg.Party, Authority: cfg.Authority, Endpoint: cfg.PublicURL, TLSFingerprint: fp,
		Keys: []EntryKey{
			{Use: "signing", ID: keys.ID(sigText), Public: sigText, ValidFrom: from},
			{Use: "encryption", ID: keys.ID(encText), Public: encText, ValidFrom: from},
		},
		Created: now.UTC(),
	}, nil
}

// writeTLS creates the node's self-signed TLS certificate and returns its
// fingerprint ("sha256:" and the hex digest of the DER certificate).
func writeTLS(cfg config.Config, now time.Time) (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", fmt.Errorf("generate TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "art35 node " + cfg.Authority},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(3, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Hostname() != "" {
		if ip := net.ParseIP(u.Hostname()); ip != nil {
			if !ip.IsLoopback() {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else if u.Hostname() != "localhost" {
			tmpl.DNSNames = append(tmpl.DNSNames, u.Hostname())
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", fmt.Errorf("create TLS certificate: %w", err)
	}
	if err := keys.WritePrivate(cfg.Path(config.TLSKeyFile), key); err != nil {
		return "", err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(cfg.Path(config.TLSCertFile), certPEM, 0o644); err != nil {
		return "", fmt.Errorf("write TLS certificate: %w", err)
	}
	return Fingerprint(der), nil
}

// Fingerprint returns the pin of a DER certificate as published in the
// directory: "sha256:" and the lowercase hex of its SHA-256.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:])
}
