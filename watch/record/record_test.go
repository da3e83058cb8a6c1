package record

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// histories returns the histories at record i: a ring of 20 points sliding one step per record, the
// newest point rewritten in place on odd records, a pair that comes and goes, and a step change.
func histories(i int, r *rand.Rand) map[string]model.PairHistory {
	out := map[string]model.PairHistory{}
	step := 15 * time.Second
	if i >= 25 {
		step = 30 * time.Second // a restart with another poll interval: a full rewrite
	}
	for p := 0; p < 3; p++ {
		if p == 2 && i%7 >= 4 {
			continue // this pair is gone for a while
		}
		key := fmt.Sprintf("ns/p%d", p)
		n := min(i+1, 20)
		h := model.PairHistory{Key: key, Step: step, Start: t0.Add(time.Duration(i+1-n) * step)}
		hv := reflect.ValueOf(&h).Elem()
		for _, name := range historySeries {
			s := make([]float64, n)
			for j := range s {
				abs := i + 1 - n + j
				s[j] = float64(abs*10+p) + float64(len(name))
				if abs%5 == 3 {
					s[j] = math.NaN()
				}
			}
			if i%2 == 1 {
				s[n-1] = r.Float64() // the newest slot is still filling
			}
			hv.FieldByName(name).Set(reflect.ValueOf(s))
		}
		if p == 1 && i%3 == 0 {
			h.RPS = nil // a series that is not there at all
		}
		out[key] = h
	}
	return out
}

func makeRecords(n int, nonFinite bool) []Record {
	r := rand.New(rand.NewPCG(1, 2))
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = Record{At: t0.Add(time.Duration(i) * time.Second), Snapshot: filledSnapshot(r, 1+i%3, nonFinite), Histories: histories(i, r)}
		recs[i].Snapshot.Watch.Synced = true // replays start at the first synced record
		if i%4 == 0 {
			recs[i].Poll = &model.MetricsPoll{At: recs[i].At, Samples: map[string]model.MetricSample{
				"ns/p0": {RPS: float64(i), Latency: math.NaN(), Errors: 0.5, HasErrors: true},
			}}
		}
	}
	return recs
}

func writeAll(t *testing.T, path string, opts WriterOptions, recs []Record) {
	t.Helper()
	w, err := NewWriter(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		if err := w.Write(rec); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func requireEqualRecords(t *testing.T, got, want []Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("read %d records, wrote %d", len(got), len(want))
	}
	for i := range want {
		if d := diff(want[i], got[i]); d != "" {
			t.Fatalf("record %d differs at %s", i, d)
		}
	}
}

// TestRoundTrip: record → replay is equal snapshot for snapshot, history for history, with every field
// of the snapshot set (the json:"-" ones too), across keyframes, deltas and rotated files.
func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      WriterOptions
		nonFinite bool
	}{
		{"one file", WriterOptions{KeyframeEvery: 10}, false},
		{"non-finite floats everywhere", WriterOptions{KeyframeEvery: 10}, true},
		{"rotated files", WriterOptions{MaxBytes: 8 << 10, MaxFiles: 1000, KeyframeEvery: 100}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rec.jsonl.gz")
			recs := makeRecords(30, tc.nonFinite)
			writeAll(t, path, tc.opts, recs)
			got, err := ReadAll(path)
			if err != nil {
				t.Fatal(err)
			}
			requireEqualRecords(t, got, recs)
			if files, _ := Files(path); tc.opts.MaxBytes > 0 && len(files) < 3 {
				t.Errorf("expected several rotated files, got %v", files)
			}
		})
	}
}

// TestOnlySnapshotAndPairHideFields keeps the recording honest: a json:"-" field anywhere else in a
// snapshot would be lost on replay, so it must be handled here first.
func TestOnlySnapshotAndPairHideFields(t *testing.T) {
	var out []string
	hiddenFieldPaths(reflect.TypeFor[model.Snapshot](), "Snapshot", map[reflect.Type]bool{}, &out)
	hiddenFieldPaths(reflect.TypeFor[model.PairHistory](), "PairHistory", map[reflect.Type]bool{}, &out)
	hiddenFieldPaths(reflect.TypeFor[model.MetricsPoll](), "MetricsPoll", map[reflect.Type]bool{}, &out)
	if len(out) > 0 {
		t.Errorf("json:\"-\" fields a recording would lose: %v", out)
	}
}

// TestGzipMembers: a recording is plain concatenated gzip, one JSON line per record (zcat | jq works).
func TestGzipMembers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec")
	writeAll(t, path, WriterOptions{}, makeRecords(5, false))
	f, _ := os.Open(path)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(all), "\n"), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], `{"fmt":"twinscale-recording/2"`) {
		t.Errorf("got %d lines, first %.60q", len(lines), lines[0])
	}
}

// memberOffsets returns the start offset of every gzip member of a file.
func memberOffsets(t *testing.T, path string) []int64 {
	t.Helper()
	m, err := openMembers(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.close()
	var out []int64
	for {
		_, start, err := m.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, start)
	}
}

func TestTruncatedRecording(t *testing.T) {
	recs := makeRecords(12, true)
	for _, tc := range []struct {
		name string
		cut  func(t *testing.T, path string, last int64, size int64)
	}{
		{"cut inside the last member", func(t *testing.T, path string, last, size int64) {
			if err := os.Truncate(path, last+(size-last)/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"cut inside the last member's header", func(t *testing.T, path string, last, size int64) {
			if err := os.Truncate(path, last+4); err != nil {
				t.Fatal(err)
			}
		}},
		{"last member's blocks never written (zeros)", func(t *testing.T, path string, last, size int64) {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(make([]byte, size-last), last); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rec")
			writeAll(t, path, WriterOptions{KeyframeEvery: 5}, recs)
			offs := memberOffsets(t, path)
			st, _ := os.Stat(path)
			last := offs[len(offs)-1]
			tc.cut(t, path, last, st.Size())

			got, err := ReadAll(path)
			var d *DamageError
			if !errors.As(err, &d) || !d.Truncated {
				t.Fatalf("err = %v, want a truncation", err)
			}
			want := fmt.Sprintf("recording truncated after 11 records at byte %d of %s", last, path)
			if err.Error() != want {
				t.Errorf("message\n got %q\nwant %q", err.Error(), want)
			}
			requireEqualRecords(t, got, recs[:11])

			// A writer reopening the file cuts the tail and appends after the last whole record.
			w, err := NewWriter(path, WriterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(w.Repaired(), "kept 11 records") {
				t.Errorf("Repaired = %q", w.Repaired())
			}
			if err := w.Write(recs[11]); err != nil {
				t.Fatal(err)
			}
			w.Close()
			got, err = ReadAll(path)
			if err != nil {
				t.Fatalf("after repair: %v", err)
			}
			requireEqualRecords(t, got, recs)
		})
	}
}

func TestCorruptedRecording(t *testing.T) {
	recs := makeRecords(12, false)
	for _, tc := range []struct {
		name    string
		damage  func(t *testing.T, path string, at, next int64)
		errText string
		// crc is true when gzip's checksum catches the damage, as it does for anything but a
		// hand-made member: only then can the writer see it without decoding every record.
		crc bool
	}{
		{"flipped bytes in the compressed data", func(t *testing.T, path string, at, next int64) {
			b, _ := os.ReadFile(path)
			for i := at + 20; i < at+40; i++ {
				b[i] ^= 0xff
			}
			os.WriteFile(path, b, 0o644)
		}, "", true},
		{"a valid member with bad JSON", func(t *testing.T, path string, at, next int64) {
			b, _ := os.ReadFile(path)
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write([]byte(`{"fmt":"twinscale-recording/1","at":`))
			zw.Close()
			out := append(append(append([]byte{}, b[:at]...), buf.Bytes()...), b[next:]...)
			os.WriteFile(path, out, 0o644)
		}, "bad JSON", false},
		{"a delta whose base is missing", func(t *testing.T, path string, at, next int64) {
			b, _ := os.ReadFile(path)
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write([]byte(`{"fmt":"twinscale-recording/1","at":"2026-03-01T12:00:05Z","history":{"ns/zz":{"meta":{},"series":{"RPS":{"shift":3,"from":4,"tail":[1]}}}}}` + "\n"))
			zw.Close()
			out := append(append(append([]byte{}, b[:at]...), buf.Bytes()...), b[next:]...)
			os.WriteFile(path, out, 0o644)
		}, "does not fit the previous 0 points", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rec")
			writeAll(t, path, WriterOptions{KeyframeEvery: 100}, recs)
			offs := memberOffsets(t, path)
			tc.damage(t, path, offs[5], offs[6])

			got, err := ReadAll(path)
			var d *DamageError
			if !errors.As(err, &d) || d.Truncated {
				t.Fatalf("err = %v, want a corruption", err)
			}
			prefix := fmt.Sprintf("recording corrupted at record 6 (byte %d of %s): ", offs[5], path)
			if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tc.errText) ||
				!strings.HasSuffix(err.Error(), "; replayed the 5 records before it") {
				t.Errorf("message %q\nwant prefix %q and %q", err.Error(), prefix, tc.errText)
			}
			requireEqualRecords(t, got, recs[:5])
			if !tc.crc {
				return
			}

			// A writer never appends after damage: it moves the file away and starts a new one.
			w, err := NewWriter(path, WriterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if !strings.Contains(w.Repaired(), "moved it to") {
				t.Errorf("Repaired = %q", w.Repaired())
			}
			if _, err := os.Stat(path + ".1"); err != nil {
				t.Errorf("damaged file not kept: %v", err)
			}
		})
	}
}

func TestRotationBound(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rec")
	recs := makeRecords(80, false)
	const maxBytes = 16 << 10
	writeAll(t, path, WriterOptions{MaxBytes: maxBytes, MaxFiles: 2, KeyframeEvery: 1000}, recs)
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		info, _ := e.Info()
		// A record larger than the bound is written whole, alone in its file.
		if info.Size() > maxBytes && len(memberOffsets(t, filepath.Join(dir, e.Name()))) > 1 {
			t.Errorf("%s is %d bytes, over the %d bound", e.Name(), info.Size(), maxBytes)
		}
	}
	if want := []string{"rec", "rec.1", "rec.2"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("files = %v, want %v", names, want)
	}
	// What is left replays on its own (each file starts with a keyframe) and is the newest records.
	got, err := ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || len(got) >= len(recs) {
		t.Fatalf("kept %d of %d records", len(got), len(recs))
	}
	requireEqualRecords(t, got, recs[len(recs)-len(got):])
}

func TestWriterRefusesForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	os.WriteFile(path, []byte("apiVersion: v1\nkind: Config\n"), 0o600)
	_, err := NewWriter(path, WriterOptions{})
	if err == nil || !strings.Contains(err.Error(), "is not a twinscale recording") {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), "apiVersion") {
		t.Error("foreign file was modified")
	}
	// A gzip file of something else is refused too.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"hello":1}` + "\n"))
	zw.Close()
	os.WriteFile(path, buf.Bytes(), 0o600)
	if _, err := NewWriter(path, WriterOptions{}); err == nil {
		t.Error("a foreign gzip file was accepted")
	}
}

func TestOpenMissing(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nope"))
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("err = %v", err)
	}
}
