// Package hostcheck tells whether a host names this machine: the one rule
// iampolicy (which allows a plain-HTTP template URL only there) and the
// onboarding page (which builds that URL) must agree on.
package hostcheck

import (
	"net"
	"net/netip"
	"strings"
)

// Loopback reports whether host, with or without a port and IPv6
// brackets, is localhost or a loopback IP address.
func Loopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.IsLoopback()
}
