package kubetest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/twinscale/twinscale/watch/kube/gvr"
)

// applied maps the kinds Apply creates to their resources.
var applied = map[string]schema.GroupVersionResource{
	"Model":                   gvr.Models,
	"Server":                  gvr.Servers,
	"HorizontalPodAutoscaler": gvr.HPAs,
	"StatefulSet":             gvr.StatefulSets,
	"Deployment":              gvr.Deployments,
}

// Apply creates every object of a multi-document YAML file as it is written, as
// `kubectl create -f` would: the manifests are not rewritten, so tests can use files
// copied verbatim from elsewhere (the Seldon docs). Objects without a namespace go to ns.
func (e *Env) Apply(t testing.TB, path, ns string) []*unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*unstructured.Unstructured
	for {
		var obj map[string]any
		if err := dec.Decode(&obj); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(obj) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		res, ok := applied[u.GetKind()]
		if !ok {
			t.Fatalf("%s: kubetest cannot apply kind %q", path, u.GetKind())
		}
		if u.GetNamespace() == "" {
			u.SetNamespace(ns)
		}
		created, err := e.Dynamic.Resource(res).Namespace(u.GetNamespace()).Create(ctx(), u, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("%s: create %s %s/%s: %v", path, u.GetKind(), u.GetNamespace(), u.GetName(), err)
		}
		out = append(out, created)
	}
}
