package manifests

import (
	"bytes"
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

// Set is what lint keeps of a group of manifest files: the Seldon Models and Servers and the
// HPAs, projected as they are read, and the parse errors. Every other object is counted and
// dropped, and documents are read one at a time, so memory follows what lint pairs, not the
// size of the input (a 50 MB `kustomize build` took 2 GB when every document was kept).
type Set struct {
	Files []string
	// Count is the number of objects read, kept or not.
	Count  int
	Errors []*Error

	kept  []*kept
	index map[objectKey]*kept
}

type objectKey struct{ kind, namespace, name string }

// kept is one object lint pairs: its projection, and the document it came from, which
// Locate parses again to find a field's line.
type kept struct {
	pos                   Position
	kind, namespace, name string
	seldonModel           *model.SeldonModel
	server                *model.SeldonServer
	hpa                   *model.HPA
	hpaErr                error
	doc                   []byte // shared by the objects of one List document
	docStart, indexInDoc  int
}

// Load reads manifests from each path: a file, a directory (its *.yaml, *.yml and *.json
// files, recursively, skipping hidden directories) or "-" for stdin. Parse errors are
// collected in Set.Errors; the returned error is for a path that cannot be read at all.
func Load(paths []string, stdin io.Reader) (*Set, error) {
	s := &Set{}
	for _, p := range paths {
		if p == "-" {
			if err := s.read(StdinName, stdin); err != nil {
				return nil, fmt.Errorf("read stdin: %w", err)
			}
			continue
		}
		files, err := expand(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			fh, err := os.Open(f)
			if err != nil {
				return nil, fmt.Errorf("read manifest: %w", err)
			}
			err = s.read(filepath.ToSlash(f), fh)
			_ = fh.Close()
			if err != nil {
				return nil, fmt.Errorf("read manifest %s: %w", f, err)
			}
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
func (s *Set) Add(file string, data []byte) { _ = s.read(file, bytes.NewReader(data)) }

// read parses r document by document, keeping the objects lint pairs.
func (s *Set) read(file string, r io.Reader) error {
	s.Files = append(s.Files, file)
	return scanDocuments(r, func(d document) {
		objs, errs := parseDocument(file, d)
		s.Errors = append(s.Errors, errs...)
		s.Count += len(objs)
		var doc []byte
		for i, o := range objs {
			if !paired(o) {
				continue
			}
			if doc == nil {
				doc = bytes.Clone(d.data) // d.data is the scanner's buffer
			}
			s.kept = append(s.kept, project(o, doc, d.start, i))
		}
	})
}

// paired reports whether o is an object twinscale pairs: a Seldon Model or Server, or an HPA.
func paired(o *Object) bool {
	switch {
	case o.Group() == model.SeldonGroup && (o.Kind == model.KindModel || o.Kind == model.KindServer):
	case o.Group() == "autoscaling" && o.Kind == "HorizontalPodAutoscaler":
	default:
		return false
	}
	return true
}

// project turns an object into what Inventory needs, the way the cluster watch does; its
// namespace, when it has none, is set by Inventory.
func project(o *Object, doc []byte, start, index int) *kept {
	k := &kept{pos: o.Pos, kind: o.Kind, namespace: o.Namespace, name: o.Name, doc: doc, docStart: start, indexInDoc: index}
	fields := withNamespace(o.Fields, o.Namespace)
	switch o.Kind {
	case model.KindModel:
		m := kube.ProjectModel(&unstructured.Unstructured{Object: fields})
		k.seldonModel = &m
	case model.KindServer:
		sv := kube.ProjectServer(&unstructured.Unstructured{Object: fields})
		k.server = &sv
	default:
		h, err := decodeHPA(o.APIVersion, fields)
		if err != nil {
			k.hpaErr = err
			break
		}
		p := kube.ProjectHPA(h)
		k.hpa = &p
	}
	return k
}

// Inventory is the set's Seldon Models and Servers and its HPAs. Objects without a namespace
// get defaultNamespace, as kubectl apply would. HPAs that cannot be decoded, and duplicates,
// are returned as Errors.
func (s *Set) Inventory(defaultNamespace string) (model.Inventory, []*Error) {
	var inv model.Inventory
	var errs []*Error
	s.index = map[objectKey]*kept{}
	for _, o := range s.kept {
		ns := o.namespace
		if ns == "" {
			ns = defaultNamespace
		}
		k := objectKey{o.kind, ns, o.name}
		if first, dup := s.index[k]; dup {
			errs = append(errs, &Error{Pos: o.pos, Msg: fmt.Sprintf("duplicate %s %s/%s (first at %s)", o.kind, ns, o.name, first.pos)})
			continue
		}
		s.index[k] = o
		switch {
		case o.seldonModel != nil:
			m := *o.seldonModel
			m.Namespace = ns
			inv.Models = append(inv.Models, m)
		case o.server != nil:
			sv := *o.server
			sv.Namespace = ns
			inv.Servers = append(inv.Servers, sv)
		case o.hpa != nil:
			h := *o.hpa
			h.Namespace = ns
			inv.HPAs = append(inv.HPAs, h)
		default:
			errs = append(errs, &Error{Pos: o.pos, Msg: fmt.Sprintf("HorizontalPodAutoscaler %s/%s: %v", ns, o.name, o.hpaErr)})
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
// manifest. Call Inventory first. A field's line comes from parsing the object's document
// again: only findings need it, and keeping every document's node tree cost gigabytes.
func (s *Set) Locate(ref model.ObjectRef, field string) (Position, bool) {
	o, ok := s.index[objectKey{ref.Kind, ref.Namespace, ref.Name}]
	if !ok {
		return Position{}, false
	}
	if field == "" {
		return o.pos, true
	}
	objs, _ := parseDocument(o.pos.File, document{data: o.doc, start: o.docStart})
	if o.indexInDoc >= len(objs) {
		return o.pos, true
	}
	return objs[o.indexInDoc].Field(field), true
}
