package hostcheck

import "testing"

func TestLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST:8080": true, "127.0.0.1": true, "127.0.0.1:80": true, "127.8.9.1": true,
		"::1": true, "[::1]": true, "[::1]:8080": true,
		"example.com": false, "localhost.example.com": false, "10.0.0.1": false, "[::2]:80": false, "": false,
	} {
		if got := Loopback(host); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", host, got, want)
		}
	}
}
