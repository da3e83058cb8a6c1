package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/client-go/rest"

	"github.com/twinscale/twinscale/watch/kube/kubetest"
)

// snapshotsOnly fills -large pairs and takes -runs cold snapshots of this tree's binary
// and, with -compare, of the other binary, alternately, so both see the same machine.
func (b *bench) snapshotsOnly() error {
	n := b.opts.large
	cfg := rest.CopyConfig(b.env.Config)
	cfg.QPS, cfg.Burst = 5000, 10000
	dyn, cs, err := clients(cfg)
	if err != nil {
		return err
	}
	log.Printf("filling %d pairs", n)
	if err := kubetest.Fill(context.Background(), dyn, cs, 0, n, b.opts.workers); err != nil {
		return err
	}
	if b.opts.hold {
		log.Printf("holding: KUBECONFIG=%s (interrupt to stop)", b.kubeconfig)
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		return nil
	}
	bins := map[string]string{"this tree": b.twinscale}
	order := []string{"this tree"}
	if b.opts.compare != "" {
		bins[b.opts.compare] = b.opts.compare
		order = append(order, b.opts.compare)
	}
	walls, rss := map[string][]float64{}, map[string][]float64{}
	for r := range b.opts.runs {
		for _, name := range order {
			wall, maxRSS, pairs, err := b.snapshotOf(bins[name])
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if pairs != n {
				return fmt.Errorf("%s: run %d printed %d pairs, want %d", name, r, pairs, n)
			}
			log.Printf("%s: %.2f s, peak %d MiB", name, wall.Seconds(), maxRSS/1024)
			walls[name] = append(walls[name], wall.Seconds())
			rss[name] = append(rss[name], float64(maxRSS)/1024)
		}
	}
	for _, name := range order {
		b.add(n, name+": twinscale snapshot: start to complete snapshot", median(walls[name]), "s",
			fmt.Sprintf("median of %d: %s", len(walls[name]), fmtList(walls[name])))
		b.add(n, name+": twinscale snapshot: peak RSS", median(rss[name]), "MiB",
			fmt.Sprintf("median of %d: %s", len(rss[name]), fmtList(rss[name])))
	}
	return nil
}
