package kube

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// addFixtureSeeds adds every YAML fixture with the prefix as a JSON seed, so the fuzzer
// starts from realistic objects as well as the corpus in testdata/fuzz.
func addFixtureSeeds(f *testing.F, prefix string) {
	paths, err := filepath.Glob(filepath.Join("testdata", prefix+"*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		js, err := yaml.YAMLToJSON(data)
		if err != nil {
			f.Fatalf("%s: %v", p, err)
		}
		f.Add(js)
	}
}

// decodeBoth decodes JSON the two ways objects reach projection: the apimachinery decoder
// (integers as int64, as informers see them) and encoding/json (every number a float64).
func decodeBoth(data []byte) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	var a map[string]any
	if utiljson.Unmarshal(data, &a) == nil && a != nil {
		out = append(out, &unstructured.Unstructured{Object: a})
	}
	var b map[string]any
	if json.Unmarshal(data, &b) == nil && b != nil {
		out = append(out, &unstructured.Unstructured{Object: b})
	}
	return out
}

func checkProblems(t *testing.T, problems []string) {
	for _, p := range problems {
		if path, what, ok := strings.Cut(p, ": "); !ok || path == "" || what == "" {
			t.Errorf("problem %q is not \"path: what\"", p)
		}
	}
}

func FuzzProjectModel(f *testing.F) {
	addFixtureSeeds(f, "model-")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, u := range decodeBoth(data) {
			m := ProjectModel(u)
			checkProblems(t, m.Problems)
			if name, ok := metadataName(u); ok && m.Name != name {
				t.Errorf("name %q projected as %q", name, m.Name)
			}
			// Projection is a pure function of the object.
			if again := ProjectModel(u); !reflect.DeepEqual(again, m) {
				t.Errorf("second projection differs: %+v vs %+v", again, m)
			}
			// The transform keeps everything projection reads.
			if trimmed := ProjectModel(trimCopy(u)); !reflect.DeepEqual(trimmed, m) {
				t.Errorf("trimming changed the projection:\n got: %+v\nwant: %+v", trimmed, m)
			}
		}
	})
}

func FuzzProjectServer(f *testing.F) {
	addFixtureSeeds(f, "server-")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, u := range decodeBoth(data) {
			s := ProjectServer(u)
			checkProblems(t, s.Problems)
			if name, ok := metadataName(u); ok && s.Name != name {
				t.Errorf("name %q projected as %q", name, s.Name)
			}
			if trimmed := ProjectServer(trimCopy(u)); !reflect.DeepEqual(trimmed, s) {
				t.Errorf("trimming changed the projection:\n got: %+v\nwant: %+v", trimmed, s)
			}
		}
	})
}

// trimCopy returns a trimmed deep copy, leaving the original untouched.
func trimCopy(u *unstructured.Unstructured) *unstructured.Unstructured {
	c := u.DeepCopy()
	trimUnstructured(c)
	return c
}

func metadataName(u *unstructured.Unstructured) (string, bool) {
	md, _ := u.Object["metadata"].(map[string]any)
	name, ok := md["name"].(string)
	return name, ok
}
