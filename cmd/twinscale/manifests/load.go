package manifests

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube"
)

// StdinName is the file name reported for manifests read from standard input.
const StdinName = "stdin"

// Set is every object read from a group of manifest files.
type Set struct {
	Files   []string
	Objects []*Object
	Errors  []*Error

	index map[objectKey]*Object
}

type objectKey struct{ kind, namespace, name string }

// Load reads manifests from each path: a file, a directory (its *.yaml, *.yml and *.json
// files, recursively, skipping hidden directories) or "-" for stdin. Parse errors are
// collected in Set.Errors; the returned error is for a path that cannot be read at all.
func Load(paths []string, stdin io.Reader) (*Set, error) {
	s := &Set{}
	for _, p := range paths {
		if p == "-" {
			data, err := io.ReadAll(stdin)
			if err != nil {
				return nil, fmt.Errorf("read stdin: %w", err)
			}
			s.Add(StdinName, data)
			continue
		}
		files, err := expand(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("read manifest: %w", err)
			}
			s.Add(filepath.ToSlash(f), data)
		}
	}
	return s, nil
}

// expand lists the manifest files under a path.
func expand(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read manifest directory: %w", err)
	}
	if len(files) == 0 {
		// A CI path typo must not pass as "no findings".
		return nil, fmt.Errorf("no manifests found in %s (no *.yaml, *.yml or *.json files)", p)
	}
	slices.Sort(files)
	return files, nil
}

// Add parses one file's contents into the set.
func (s *Set) Add(file string, data []byte) {
	s.Files = append(s.Files, file)
	objs, errs := Parse(file, data)
	s.Objects = append(s.Objects, objs...)
	s.Errors = append(s.Errors, errs...)
}

// Inventory projects the set's Seldon Models and Servers and its HPAs, the same way the
// cluster watch does. Objects without a namespace get defaultNamespace, as kubectl apply
// would. Objects that cannot be decoded, and duplicates, are returned as Errors.
func (s *Set) Inventory(defaultNamespace string) (model.Inventory, []*Error) {
	var inv model.Inventory
	var errs []*Error
	s.index = map[objectKey]*Object{}
	for _, o := range s.Objects {
		ns := o.Namespace
		if ns == "" {
			ns = defaultNamespace
		}
		kind := o.Kind
		switch {
		case o.Group() == model.SeldonGroup && (kind == model.KindModel || kind == model.KindServer):
		case o.Group() == "autoscaling" && kind == "HorizontalPodAutoscaler":
		default:
			continue // not something twinscale pairs
		}
		k := objectKey{kind, ns, o.Name}
		if first, dup := s.index[k]; dup {
			errs = append(errs, &Error{Pos: o.Pos, Msg: fmt.Sprintf("duplicate %s %s/%s (first at %s)", kind, ns, o.Name, first.Pos)})
			continue
		}
		s.index[k] = o
		fields := withNamespace(o.Fields, ns)
		switch kind {
		case model.KindModel:
			inv.Models = append(inv.Models, kube.ProjectModel(&unstructured.Unstructured{Object: fields}))
		case model.KindServer:
			inv.Servers = append(inv.Servers, kube.ProjectServer(&unstructured.Unstructured{Object: fields}))
		default:
			h, err := decodeHPA(o.APIVersion, fields)
			if err != nil {
				errs = append(errs, &Error{Pos: o.Pos, Msg: fmt.Sprintf("HorizontalPodAutoscaler %s/%s: %v", ns, o.Name, err)})
				continue
			}
			inv.HPAs = append(inv.HPAs, kube.ProjectHPA(h))
		}
	}
	if len(inv.Servers) == 0 {
		// Seldon's install brings the Servers (mlserver, triton): manifests that define none,
		// like the docs' Model and HPAs, say nothing about whether they exist.
		inv.Access = map[string]model.Access{model.ResourceServers: model.AccessUnknown}
	}
	return inv, errs
}

// withNamespace returns a shallow copy of an object with metadata.namespace set.
func withNamespace(fields map[string]any, ns string) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		out[k] = v
	}
	md := map[string]any{}
	if old, ok := fields["metadata"].(map[string]any); ok {
		for k, v := range old {
			md[k] = v
		}
	}
	md["namespace"] = ns
	out["metadata"] = md
	return out
}

// decodeHPA reads an HPA of autoscaling/v2 (or v2beta2, the same schema) or autoscaling/v1,
// which it converts as the API server does: its CPU target becomes a Resource metric.
func decodeHPA(apiVersion string, fields map[string]any) (*autoscalingv2.HorizontalPodAutoscaler, error) {
	data, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	switch apiVersion {
	case "autoscaling/v2", "autoscaling/v2beta2":
		var h autoscalingv2.HorizontalPodAutoscaler
		if err := json.Unmarshal(data, &h); err != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
		return &h, nil
	case "autoscaling/v1":
		var v1 autoscalingv1.HorizontalPodAutoscaler
		if err := json.Unmarshal(data, &v1); err != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
		cpu := int32(80)
		if v1.Spec.TargetCPUUtilizationPercentage != nil {
			cpu = *v1.Spec.TargetCPUUtilizationPercentage
		}
		return &autoscalingv2.HorizontalPodAutoscaler{
			ObjectMeta: v1.ObjectMeta,
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
				ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{
					APIVersion: v1.Spec.ScaleTargetRef.APIVersion, Kind: v1.Spec.ScaleTargetRef.Kind, Name: v1.Spec.ScaleTargetRef.Name,
				},
				MinReplicas: v1.Spec.MinReplicas,
				MaxReplicas: v1.Spec.MaxReplicas,
				Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType,
					Resource: &autoscalingv2.ResourceMetricSource{Name: "cpu",
						Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &cpu}}}},
			},
		}, nil
	}
	return nil, fmt.Errorf("apiVersion %s is not supported; use autoscaling/v2", apiVersion)
}

// Locate returns where a finding's subject (and field within it) is, if it was read from a
// manifest. Call Inventory first.
func (s *Set) Locate(ref model.ObjectRef, field string) (Position, bool) {
	o, ok := s.index[objectKey{ref.Kind, ref.Namespace, ref.Name}]
	if !ok {
		return Position{}, false
	}
	if field == "" {
		return o.Pos, true
	}
	return o.Field(field), true
}
