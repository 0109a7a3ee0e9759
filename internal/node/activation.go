package node

import (
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/art35/art35/internal/apperr"
)

// Socket activation (systemd's sd_listen_fds protocol): the service
// manager, or whoever starts the node, opens the listening sockets and
// passes them as file descriptors 3, 4, ... with LISTEN_FDS (their
// number), LISTEN_PID (the process meant to take them) and LISTEN_FDNAMES
// (their names, colon-separated). The port then stays open while the
// node restarts: peers' connections wait in the socket's queue instead of
// being refused, and nobody else can take the port in between (the crash
// tests hand their nodes' ports over this way).

// firstListenFD is the first descriptor passed by socket activation.
const firstListenFD = 3

// maxListenFDs bounds LISTEN_FDS: a node serves at most three listeners.
const maxListenFDs = 3

// Inherited returns the listening sockets passed to this process by
// socket activation, by listener name (peers, portal, admin), or none when
// LISTEN_PID does not name pid (the variables were meant for another
// process, or there are none). Sockets without a name in LISTEN_FDNAMES
// (or named "unknown", systemd's default) are taken in the order peers,
// portal, admin. The returned listeners are the node's to close.
func Inherited(getenv func(string) string, pid int) (map[string]net.Listener, error) {
	if getenv("LISTEN_PID") == "" || getenv("LISTEN_PID") != strconv.Itoa(pid) {
		return nil, nil
	}
	count, err := strconv.Atoi(getenv("LISTEN_FDS"))
	if err != nil || count < 1 || count > maxListenFDs {
		return nil, apperr.Errorf(apperr.EInvalid, "LISTEN_FDS=%q: socket activation passes 1 to %d listening sockets (peers, portal, admin); fix the socket unit or unset LISTEN_PID", getenv("LISTEN_FDS"), maxListenFDs)
	}
	var names []string
	if v := getenv("LISTEN_FDNAMES"); v != "" {
		names = strings.Split(v, ":")
	}
	order := []string{PeersListener, PortalListener, AdminListener}
	out := map[string]net.Listener{}
	fail := func(err error) (map[string]net.Listener, error) {
		for _, l := range out {
			l.Close()
		}
		return nil, err
	}
	for i := range count {
		name := order[i]
		if i < len(names) && names[i] != "" && names[i] != "unknown" {
			name = names[i]
		}
		if name != PeersListener && name != PortalListener && name != AdminListener {
			return fail(apperr.Errorf(apperr.EInvalid, "LISTEN_FDNAMES: socket %d is named %q; name the sockets peers, portal or admin (FileDescriptorName= in the socket unit)", i+1, name))
		}
		if out[name] != nil {
			return fail(apperr.Errorf(apperr.EInvalid, "LISTEN_FDNAMES: two sockets are named %q; give each listener one socket", name))
		}
		f := os.NewFile(uintptr(firstListenFD+i), "listen-fd-"+name)
		l, err := net.FileListener(f) // a duplicate, close-on-exec; the original is closed below
		f.Close()
		if err != nil {
			return fail(apperr.Wrap(apperr.EInvalid, err, "socket activation: descriptor %d (%s) is not a listening socket", firstListenFD+i, name))
		}
		out[name] = l
	}
	return out, nil
}
