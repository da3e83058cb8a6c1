package kubetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// AnswerProxy is an HTTP proxy a test puts in front of the API server to make it answer
// every request with an error status (500, 403, ...) as a broken or denying front end
// would, and to let requests through again.
type AnswerProxy struct {
	mu   sync.Mutex
	code int
}

// AnswerProxyConfig starts an AnswerProxy to the API server of cfg and returns a config
// that talks plain HTTP to it; the proxy authenticates to the API server as cfg does.
// It is closed when the test ends.
func AnswerProxyConfig(t testing.TB, cfg *rest.Config) (*AnswerProxy, *rest.Config) {
	t.Helper()
	target, err := url.Parse(cfg.Host)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := rest.TransportFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := &AnswerProxy{}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = rt
	rp.FlushInterval = -1 // watches stream
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		code := p.code
		p.mu.Unlock()
		if code == 0 {
			rp.ServeHTTP(w, r)
			return
		}
		st := metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure,
			Code: int32(code), Message: "stand-in front end says " + http.StatusText(code)}
		switch code {
		case http.StatusForbidden:
			st.Reason = metav1.StatusReasonForbidden
		case http.StatusInternalServerError:
			st.Reason = metav1.StatusReasonInternalError
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(st)
	}))
	t.Cleanup(srv.Close)
	c := &rest.Config{Host: srv.URL, QPS: cfg.QPS, Burst: cfg.Burst}
	return p, c
}

// Answer makes every request get code (0 lets requests through to the API server).
func (p *AnswerProxy) Answer(code int) {
	p.mu.Lock()
	p.code = code
	p.mu.Unlock()
}
