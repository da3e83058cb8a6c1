// Package kubetest runs a real kube-apiserver and etcd (controller-runtime's envtest,
// binaries from <repo>/bin built by `make testenv`) for integration tests, with the
// Seldon CRDs installed, and offers helpers to create and change the objects twinscale
// watches the way their controllers do: status through the status subresource, replicas
// through the scale subresource.
//
// One API server is shared per test binary. It starts on the first call to Shared and
// is stopped by Main, so a package's unit tests do not pay for it:
//
//	func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		env := kubetest.Shared(t)
//		ns := env.Namespace(t)
//		...
//	}
package kubetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// RealCRDsEnv names the environment variable that points the tests at a folder of CRDs
// to install instead of the project's minimal ones (the real Seldon CRDs).
const RealCRDsEnv = "TWINSCALE_REAL_CRDS"

// Env is a running test control plane with admin clients.
type Env struct {
	// Config is an admin client config; tests may write with it.
	Config    *rest.Config
	Dynamic   dynamic.Interface
	Clientset kubernetes.Interface
	// CRDDir is the folder the Seldon CRDs were installed from.
	CRDDir string
	// Started is how long the control plane took to start, CRDs included.
	Started time.Duration

	env *envtest.Environment
	nsN atomic.Int64
	// dir holds the API server's certificates (kept across StopAPIServer and
	// StartAPIServer, so clients stay valid) and its audit log.
	dir string
}

var (
	sharedMu  sync.Mutex
	shared    *Env
	sharedErr error
)

// Shared returns the test binary's API server, starting it on first use. A failure to
// start fails the test with the reason (usually: run `make testenv`).
func Shared(t testing.TB) *Env {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil && sharedErr == nil {
		shared, sharedErr = Start()
	}
	if sharedErr != nil {
		t.Fatalf("test control plane: %v", sharedErr)
	}
	return shared
}

// Main runs the tests and stops the shared API server if one was started. Use it as
// os.Exit(kubetest.Main(m)) in TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "kubetest: stop control plane: %v\n", err)
		}
		shared = nil
	}
	return code
}

// RepoRoot walks up from the working directory to the folder holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// CRDDir returns the folder of CRDs to install: $TWINSCALE_REAL_CRDS (relative paths
// are taken from the repository root) or the project's minimal test CRDs.
func CRDDir() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	if dir := os.Getenv(RealCRDsEnv); dir != "" {
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(root, dir)
		}
		if _, err := os.Stat(dir); err != nil {
			return "", fmt.Errorf("%s: %w", RealCRDsEnv, err)
		}
		return dir, nil
	}
	return filepath.Join(root, "watch", "kube", "testdata", "crds"), nil
}

// Start starts a new control plane with the Seldon CRDs installed. Most tests want
// Shared instead.
func Start() (*Env, error) {
	began := time.Now()
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(root, "bin")
	for _, b := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			return nil, fmt.Errorf("%s not found in %s: run `make testenv` to build the test control plane", b, bin)
		}
	}
	crds, err := CRDDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "kubetest-")
	if err != nil {
		return nil, err
	}
	te := &envtest.Environment{
		BinaryAssetsDirectory: bin,
		CRDDirectoryPaths:     []string{crds},
		ErrorIfCRDPathMissing: true,
	}
	if err := configureAPIServer(te.ControlPlane.GetAPIServer(), dir); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	cfg, err := te.Start()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start envtest: %w", err)
	}
	e := &Env{Config: cfg, CRDDir: crds, env: te, dir: dir}
	if e.Dynamic, err = dynamic.NewForConfig(cfg); err == nil {
		e.Clientset, err = kubernetes.NewForConfig(cfg)
	}
	if err != nil {
		_ = te.Stop()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("clients: %w", err)
	}
	e.Started = time.Since(began)
	return e, nil
}

// Stop stops the control plane and removes its certificates and audit log.
func (e *Env) Stop() error {
	err := e.env.Stop()
	if rmErr := os.RemoveAll(e.dir); err == nil {
		err = rmErr
	}
	return err
}

// AddUser provisions a user (for RBAC tests) and returns a config that authenticates as it.
func (e *Env) AddUser(name string, groups ...string) (*rest.Config, error) {
	u, err := e.env.AddUser(envtest.User{Name: name, Groups: groups}, nil)
	if err != nil {
		return nil, fmt.Errorf("add user %s: %w", name, err)
	}
	return u.Config(), nil
}

// InstallCRDs installs the CRDs of CRDDir again (after UninstallCRDs).
func (e *Env) InstallCRDs(t testing.TB) {
	t.Helper()
	if _, err := envtest.InstallCRDs(e.Config, envtest.CRDInstallOptions{Paths: []string{e.CRDDir}, ErrorIfPathMissing: true}); err != nil {
		t.Fatalf("install CRDs: %v", err)
	}
}

// UninstallCRDs removes the Seldon CRDs and waits until they are gone.
func (e *Env) UninstallCRDs(t testing.TB) {
	t.Helper()
	if err := envtest.UninstallCRDs(e.Config, envtest.CRDInstallOptions{Paths: []string{e.CRDDir}}); err != nil {
		t.Fatalf("uninstall CRDs: %v", err)
	}
	Eventually(t, 60*time.Second, func() bool {
		_, err := e.Clientset.Discovery().ServerResourcesForGroupVersion("mlops.seldon.io/v1alpha1")
		return err != nil
	}, "Seldon CRDs still served after uninstall")
}

// Namespace creates a fresh namespace for one test. envtest runs no namespace
// controller, so namespaces are not deleted; unique names keep tests apart.
func (e *Env) Namespace(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d-%d", time.Now().UnixNano()%1e6, e.nsN.Add(1))
	_, err := e.Clientset.CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	return name
}

// Eventually polls cond every 10 ms until it holds, failing the test after timeout
// with the message (fmt.Sprint of msg).
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, msg ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not true within %v: %s", timeout, fmt.Sprint(msg...))
		}
		<-tick.C
	}
}
