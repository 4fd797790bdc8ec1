package webhooks

import (
	"net"
	"testing"
)

func TestDialGuardRefusesPrivateAddresses(t *testing.T) {
	s := &Service{}
	for _, addr := range []string{"127.0.0.1:80", "[::1]:443", "10.0.0.8:80", "192.168.1.1:80", "172.16.5.4:80", "169.254.169.254:80", "0.0.0.0:80", "[fe80::1]:80"} {
		if err := s.checkDial("tcp", addr, nil); err == nil {
			t.Errorf("dial %s allowed, want refused", addr)
		}
	}
	for _, addr := range []string{"93.184.216.34:443", "[2606:2800:220:1::]:443"} {
		if err := s.checkDial("tcp", addr, nil); err != nil {
			t.Errorf("dial %s refused: %v", addr, err)
		}
	}
	s.allowPrivate = true
	if err := s.checkDial("tcp", "127.0.0.1:80", nil); err != nil {
		t.Errorf("with allowPrivate, loopback refused: %v", err)
	}
	if !private(net.ParseIP("10.1.2.3")) || private(net.ParseIP("8.8.8.8")) {
		t.Error("private() is wrong")
	}
}
