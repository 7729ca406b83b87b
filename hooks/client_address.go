package hooks

import (
	"net/netip"

	"github.com/pocketbase/pocketbase/core"
)

// clientAddress returns the address a request is counted under for limits
// and logs. PocketBase's RealIP believes the configured forwarded-for
// headers from any peer; here they count only when the peer itself is one
// of the configured trusted proxies, and otherwise the peer's own address is
// used.
func (h *Hearth) clientAddress(e *core.RequestEvent) string {
	peer, err := netip.ParseAddr(e.RemoteIP())
	if err != nil {
		return e.RemoteIP()
	}
	peer = peer.Unmap()
	for _, proxy := range h.config.TrustedProxies {
		if proxy.Contains(peer) {
			return e.RealIP()
		}
	}
	return peer.String()
}
