package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/twinscale/twinscale/watch/kube/kubetest"
)

// clustersBench starts -clusters API servers (each its own kube-apiserver and etcd), fills
// each with -cold pairs, and takes cold `twinscale snapshot -A -o json` runs of one context
// and of all of them (--context c0,c1,...), alternately so both see the same machine:
// wall time, peak RSS and the requests each API server received (its audit log).
func (b *bench) clustersBench() error {
	k, n := b.opts.clusters, b.opts.cold
	envs := make([]*kubetest.Env, k)
	defer func() {
		for _, e := range envs {
			if e != nil {
				_ = e.Stop()
			}
		}
	}()
	kc := clientcmdapi.NewConfig()
	var names []string
	for i := range envs {
		log.Printf("starting kube-apiserver and etcd %d of %d", i+1, k)
		env, err := kubetest.Start()
		if err != nil {
			return err
		}
		envs[i] = env
		cfg := rest.CopyConfig(env.Config)
		cfg.QPS, cfg.Burst = 5000, 10000
		dyn, cs, err := clients(cfg)
		if err != nil {
			return err
		}
		log.Printf("filling cluster %d with %d pairs", i, n)
		if err := kubetest.Fill(context.Background(), dyn, cs, 0, n, b.opts.workers); err != nil {
			return err
		}
		name := fmt.Sprintf("c%d", i)
		names = append(names, name)
		kc.Clusters[name] = &clientcmdapi.Cluster{Server: env.Config.Host, CertificateAuthorityData: env.Config.CAData}
		kc.AuthInfos[name] = &clientcmdapi.AuthInfo{ClientCertificateData: env.Config.CertData, ClientKeyData: env.Config.KeyData}
		kc.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name, Namespace: "default"}
	}
	kc.CurrentContext = names[0]
	b.kubeconfig = filepath.Join(b.dir, "kubeconfig-clusters")
	if err := clientcmd.WriteToFile(*kc, b.kubeconfig); err != nil {
		return err
	}

	type sample struct{ wall, rss, cpu, reqs []float64 }
	one, all := &sample{}, &sample{}
	measure := func(s *sample, contexts []string) error {
		offsets := make([]int64, len(envs))
		for i, e := range envs {
			offsets[i] = fileSize(e.AuditLog())
		}
		wall, maxRSS, cpu, pairs, err := b.snapshotWith("--context", strings.Join(contexts, ","))
		if err != nil {
			return err
		}
		if want := n * len(contexts); pairs != want {
			return fmt.Errorf("snapshot of %v printed %d pairs, want %d", contexts, pairs, want)
		}
		reqs := 0
		for i, e := range envs[:len(contexts)] {
			counts, err := auditCounts(e.AuditLog(), offsets[i])
			if err != nil {
				return err
			}
			reqs += counts["twinscale"].total()
		}
		s.wall = append(s.wall, wall.Seconds())
		s.rss = append(s.rss, float64(maxRSS)/1024)
		s.cpu = append(s.cpu, cpu.Seconds()/float64(len(contexts)))
		s.reqs = append(s.reqs, float64(reqs)/float64(len(contexts)))
		log.Printf("%d cluster(s): %.2f s, peak %d MiB, %.2f s CPU and %.1f requests per cluster", len(contexts), wall.Seconds(), maxRSS/1024,
			cpu.Seconds()/float64(len(contexts)), float64(reqs)/float64(len(contexts)))
		return nil
	}
	for range b.opts.runs {
		if err := measure(one, names[:1]); err != nil {
			return err
		}
		if err := measure(all, names); err != nil {
			return err
		}
	}
	label := fmt.Sprintf("%d × %d", k, n)
	b.add(n, "1 cluster: twinscale snapshot: start to complete snapshot", median(one.wall), "s", "median of "+fmtList(one.wall))
	b.add(n, "1 cluster: peak RSS", median(one.rss), "MiB", "median of "+fmtList(one.rss))
	b.add(n, "1 cluster: CPU time", median(one.cpu), "s", "median of "+fmtList(one.cpu))
	b.add(n, "1 cluster: requests to its API server", median(one.reqs), "requests", "median of "+fmtList(one.reqs))
	b.add(k*n, label+": twinscale snapshot: start to complete snapshot", median(all.wall), "s", "median of "+fmtList(all.wall))
	b.add(k*n, label+": peak RSS", median(all.rss), "MiB", "median of "+fmtList(all.rss))
	b.add(k*n, label+": CPU time per cluster", median(all.cpu), "s", "median of "+fmtList(all.cpu))
	b.add(k*n, label+": requests per cluster", median(all.reqs), "requests", "median of "+fmtList(all.reqs))
	b.add(k*n, label+": CPU per cluster / one cluster's", median(all.cpu)/median(one.cpu), "ratio", "")
	b.add(k*n, label+": RSS per cluster / one cluster's RSS", median(all.rss)/float64(k)/median(one.rss), "ratio", "")
	b.add(k*n, label+": requests per cluster / one cluster's", median(all.reqs)/median(one.reqs), "ratio", "")
	return nil
}

// snapshotWith runs one cold `snapshot -A -o json` of this tree's binary with extra flags:
// wall time from process start to exit, peak RSS (KiB), CPU time and the pairs printed.
// The peak is VmHWM read from /proc every 5 ms while it runs: wait4's ru_maxrss is no use
// here, since Linux starts a child's at its parent's RSS when it execs, and this process
// holds the clients that filled the clusters.
func (b *bench) snapshotWith(extra ...string) (time.Duration, int64, time.Duration, int, error) {
	args := append([]string{"snapshot", "-A", "-o", "json", "--kubeconfig", b.kubeconfig,
		"--log-file", filepath.Join(b.dir, "snapshot.log"), "--sync-timeout", "120s"}, extra...)
	cmd := exec.Command(b.twinscale, args...)
	cmd.Env = cleanEnv()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("twinscale snapshot: %v", err)
	}
	done := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var hwm int64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			if v := procStatus(cmd.Process.Pid, "VmHWM"); v > hwm {
				hwm = v
			}
			select {
			case <-done:
				peak <- hwm
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	wall := time.Since(began)
	close(done)
	maxRSS := <-peak
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("twinscale snapshot: %v: %s", err, errOut.String())
	}
	var snap struct {
		Pairs []json.RawMessage `json:"pairs"`
	}
	if err := json.Unmarshal(out.Bytes(), &snap); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("snapshot output: %w", err)
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return wall, maxRSS, cpu, len(snap.Pairs), nil
}
