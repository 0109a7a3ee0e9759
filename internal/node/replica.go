package node

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
)

// replicaName names this process among the replicas of its node, in the
// outbox's claims and the leader's logs: the host, the process id and a
// random suffix (a restarted container may reuse both).
func replicaName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}
