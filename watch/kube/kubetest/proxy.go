package kubetest

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

// Proxy is a loopback TCP proxy a test puts between a client and a server, to cut the
// connection and restore it. TLS passes through untouched, so clients keep verifying
// the server's certificate.
type Proxy struct {
	// Addr is host:port to connect to instead of the server.
	Addr string

	target string
	t      testing.TB

	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
	// Delay, when set, holds every new connection this long before it is forwarded (a
	// server that hangs).
	delay time.Duration
}

// NewProxy listens on a loopback port and forwards every connection to target
// (host:port). It is closed when the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Addr: ln.Addr().String(), target: target, t: t, ln: ln, conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	t.Cleanup(p.close)
	return p
}

// ProxyConfig returns a proxy to the API server of cfg and a copy of cfg that connects
// through it.
func ProxyConfig(t testing.TB, cfg *rest.Config) (*Proxy, *rest.Config) {
	t.Helper()
	u, err := url.Parse(cfg.Host)
	if err != nil {
		t.Fatal(err)
	}
	p := NewProxy(t, u.Host)
	c := rest.CopyConfig(cfg)
	u.Host = p.Addr
	c.Host = u.String()
	return p, c
}

// serve accepts on ln until it is closed.
func (p *Proxy) serve(ln net.Listener) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.forward(c)
			}()
		}
	}()
}

// forward copies bytes both ways until either side closes or the proxy cuts.
func (p *Proxy) forward(client net.Conn) {
	p.mu.Lock()
	delay := p.delay
	if p.ln == nil {
		p.mu.Unlock()
		_ = client.Close()
		return
	}
	p.conns[client] = struct{}{}
	p.mu.Unlock()
	defer p.drop(client)
	if delay > 0 {
		// A hung server: accept, then say nothing until the delay passes or the proxy cuts.
		timer := time.NewTimer(delay)
		defer timer.Stop()
		gone := make(chan struct{})
		go func() { _, _ = io.Copy(io.Discard, client); close(gone) }()
		select {
		case <-timer.C:
		case <-gone:
		}
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	p.mu.Lock()
	if p.ln == nil {
		p.mu.Unlock()
		_ = server.Close()
		return
	}
	p.conns[server] = struct{}{}
	p.mu.Unlock()
	defer p.drop(server)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done // either direction ending ends the connection
}

func (p *Proxy) drop(c net.Conn) {
	_ = c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// Cut closes every open connection and stops listening: new connections are refused
// until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
}

// Restore listens on the same address again.
func (p *Proxy) Restore() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil || p.closed {
		return
	}
	var ln net.Listener
	var err error
	// The port was ours a moment ago; the kernel may take a moment to free it.
	for deadline := time.Now().Add(10 * time.Second); ; {
		if ln, err = net.Listen("tcp", p.Addr); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("proxy: listen again on %s: %v", p.Addr, err)
	}
	p.ln = ln
	p.serve(ln)
}

// Hang makes new connections hang for d without reaching the server (d = 0 forwards
// again). Open connections are cut, so the client has to connect anew.
func (p *Proxy) Hang(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
}

// close shuts the proxy down and waits for its goroutines.
func (p *Proxy) close() {
	p.Cut()
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.wg.Wait()
}
