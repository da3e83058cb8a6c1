package kube

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/twinscale/twinscale/model"
)

// TestReplicasWriterSurvivesTransform: ingest keeps only the managedFields entries that own
// spec.replicas, reduced, and projection names the newest of them; a second Transform
// changes nothing.
func TestReplicasWriterSurvivesTransform(t *testing.T) {
	raw, err := os.ReadFile("testdata/writers/server.json")
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := json.Unmarshal(raw, &u.Object); err != nil {
		t.Fatal(err)
	}
	if _, err := Transform(u); err != nil {
		t.Fatal(err)
	}
	once, _ := json.Marshal(u.Object)
	if _, err := Transform(u); err != nil {
		t.Fatal(err)
	}
	if twice, _ := json.Marshal(u.Object); string(once) != string(twice) {
		t.Errorf("Transform is not idempotent:\n%s\n%s", once, twice)
	}
	mf, _, _ := unstructured.NestedSlice(u.Object, "metadata", "managedFields")
	if len(mf) != 2 {
		t.Fatalf("kept %d managedFields entries, want the 2 owning spec.replicas: %v", len(mf), mf)
	}
	s := ProjectServer(u)
	want := model.FieldWriter{Manager: "manager", Operation: "Update", Time: time.Date(2026, 3, 1, 10, 9, 0, 0, time.UTC)}
	if s.ReplicasWriter == nil || *s.ReplicasWriter != want {
		t.Errorf("writer %+v, want %+v", s.ReplicasWriter, want)
	}
	if len(once) > 1200 {
		t.Errorf("trimmed Server is %d bytes", len(once))
	}
}

// TestProjectKEDAHPA: the owner reference to a ScaledObject and KEDA's pause annotation
// survive ingest, and the pair is recognised as KEDA's.
func TestProjectKEDAHPA(t *testing.T) {
	yes := true
	h := &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{
		Name: "keda-hpa-irisa0", Namespace: "ns",
		Annotations:     map[string]string{model.KEDAPausedReplicas: "2", "other": "dropped"},
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "keda.sh/v1alpha1", Kind: "ScaledObject", Name: "irisa0", Controller: &yes}},
	}}
	if _, err := Transform(h); err != nil {
		t.Fatal(err)
	}
	p := ProjectHPA(h)
	if p.Owner.Kind != "ScaledObject" || p.Owner.Name != "irisa0" || p.Paused != model.KEDAPausedReplicas+"=2" || !model.IsKEDA(&p) {
		t.Errorf("projected %+v / %q", p.Owner, p.Paused)
	}
	if len(h.Annotations) != 1 {
		t.Errorf("annotations kept: %v", h.Annotations)
	}
}
