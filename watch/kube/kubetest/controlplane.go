package kubetest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// auditPolicy records every request at the Metadata level (who, verb, resource), once
// it completes: enough to prove what a client did, without request bodies.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
`

// configureAPIServer keeps the API server's certificates in dir (so a restarted server
// keeps its CA, port and users) and turns on the audit log.
func configureAPIServer(api *envtest.APIServer, dir string) error {
	certs := filepath.Join(dir, "certs")
	if err := os.MkdirAll(certs, 0o700); err != nil {
		return err
	}
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o600); err != nil {
		return err
	}
	api.CertDir = certs
	api.Configure().
		Set("audit-policy-file", policy).
		Set("audit-log-path", filepath.Join(dir, "audit.log")).
		Set("audit-log-format", "json").
		Set("audit-log-mode", "blocking").
		// No kube-proxy runs, so aggregated APIs (a custom metrics API stand-in) are
		// reached at their endpoints rather than at an unroutable ClusterIP.
		Set("enable-aggregator-routing", "true")
	return nil
}

// StopAPIServer kills kube-apiserver (SIGKILL, as a crash or an evicted pod would end
// it), leaving etcd and its data running: clients see connection refused until
// StartAPIServer. A graceful stop would wait for open watches to drain, which takes
// up to a minute.
func (e *Env) StopAPIServer(t testing.TB) {
	t.Helper()
	api := e.env.ControlPlane.GetAPIServer()
	pid, err := findProcess("kube-apiserver", "--cert-dir="+api.CertDir)
	if err != nil {
		t.Fatalf("find kube-apiserver: %v", err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill kube-apiserver %d: %v", pid, err)
	}
	// Stop reaps the process and finds it gone.
	if err := api.Stop(); err != nil {
		t.Fatalf("stop kube-apiserver: %v", err)
	}
}

// findProcess returns the id of the process running the named binary with arg among
// its arguments (from /proc: Linux only): the test's own API server, told apart from
// others by its cert dir.
func findProcess(binary, arg string) (int, error) {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err != nil || len(raw) == 0 {
			continue
		}
		args := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
		if filepath.Base(args[0]) == binary && slices.Contains(args[1:], arg) {
			return pid, nil
		}
	}
	return 0, fmt.Errorf("no %s process with %s", binary, arg)
}

// StartAPIServer starts a stopped kube-apiserver again on the same port with the same
// certificates, over the same etcd data, and waits until it is healthy.
func (e *Env) StartAPIServer(t testing.TB) {
	t.Helper()
	if err := e.env.ControlPlane.GetAPIServer().Start(); err != nil {
		t.Fatalf("start kube-apiserver again: %v", err)
	}
}

// AuditEvent is one request in the API server's audit log.
type AuditEvent struct {
	Stage      string `json:"stage"`
	Verb       string `json:"verb"`
	RequestURI string `json:"requestURI"`
	User       struct {
		Username string `json:"username"`
	} `json:"user"`
	ObjectRef *struct {
		Resource    string `json:"resource"`
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
}

// String renders the event as "user verb URI (code)".
func (a AuditEvent) String() string {
	code := 0
	if a.ResponseStatus != nil {
		code = a.ResponseStatus.Code
	}
	return fmt.Sprintf("%s %s %s (%d)", a.User.Username, a.Verb, a.RequestURI, code)
}

// AuditLog is the path of the API server's audit log (JSON lines), for tools that read
// it as it grows.
func (e *Env) AuditLog() string { return filepath.Join(e.dir, "audit.log") }

// AuditEvents returns every request the API server has recorded for the user so far,
// across restarts.
func (e *Env) AuditEvents(t testing.TB, user string) []AuditEvent {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e.dir, "audit.log"))
	if err != nil {
		t.Fatalf("read the audit log: %v", err)
	}
	var out []AuditEvent
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var ev AuditEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			continue // a line being written while we read
		}
		if ev.User.Username == user {
			out = append(out, ev)
		}
	}
	return out
}
