// Command twinscale is the terminal dashboard of Seldon Core 2 Model/Server pairs and their twin HPAs.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// newRootCmd is the twinscale command. The live dashboard wires in here; `replay` plays recordings.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "twinscale",
		Short:         "Every Seldon Model and its Server, with their twin HPAs",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newReplayCmd())
	return root
}

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "twinscale:", err)
		os.Exit(1)
	}
}
