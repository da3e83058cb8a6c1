package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/twinscale/twinscale/cmd/twinscale/version"
)

// newVersionCmd prints the build version.
func newVersionCmd(o *rootOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		// The version needs no flags checked, no logs and no cluster.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(o.stdout, version.String())
			return err
		},
	}
}
