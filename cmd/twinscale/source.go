package main

import (
	"context"
	"errors"

	"github.com/twinscale/twinscale/watch"
	"github.com/twinscale/twinscale/watch/static"
)

// openSource is the one place that decides where the data comes from. It
// returns the source, a stop function to call on exit, or an error that
// tells the user what to do.
//
// TODO(lead): build the cluster source here (watch/kube with o.config and
// o.targetNamespaces(), plus watch/prom from prom.Options) when no
// --snapshot-file is given.
func openSource(_ context.Context, o *rootOptions) (watch.Source, func(), error) {
	if o.snapshotFile != "" {
		src, err := static.Load(o.snapshotFile)
		if err != nil {
			return nil, nil, err
		}
		return src, func() {}, nil
	}
	return nil, nil, errors.New("no data source yet: the cluster watch is not wired in; use --snapshot-file FILE to view a saved snapshot")
}
