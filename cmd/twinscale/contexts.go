package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// validateContexts checks --context and --all-contexts, and points kubectl's flags at the
// context when exactly one is given.
func (o *rootOptions) validateContexts() error {
	var names []string
	for _, c := range o.contexts {
		c = strings.TrimSpace(c)
		if c == "" {
			return errors.New("--context: empty context name")
		}
		if !slices.Contains(names, c) {
			names = append(names, c)
		}
	}
	o.contexts = names
	if o.allContexts && len(names) > 0 {
		return errors.New("use either --all-contexts or --context, not both")
	}
	if len(names) == 1 {
		o.config.Context = &o.contexts[0]
	}
	return nil
}

// watchedContexts names the contexts to watch on one screen: nil when one context is
// watched (the current one, or the one --context names), which keeps pair keys as they are.
func (o *rootOptions) watchedContexts() ([]string, error) {
	if !o.allContexts && len(o.contexts) < 2 {
		return nil, nil
	}
	raw, err := o.config.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, &exitErr{code: exitKubeconfig, err: fmt.Errorf("kubeconfig: %s", scrubYAML(err))}
	}
	known := slices.Sorted(maps.Keys(raw.Contexts))
	if o.allContexts {
		if len(known) == 0 {
			return nil, &exitErr{code: exitKubeconfig, err: errors.New("--all-contexts: " + noContexts(o.config))}
		}
		if len(known) == 1 {
			o.config.Context = &known[0]
			return nil, nil
		}
		return known, nil
	}
	for _, c := range o.contexts {
		if _, ok := raw.Contexts[c]; !ok {
			if len(known) == 0 {
				return nil, &exitErr{code: exitKubeconfig, err: fmt.Errorf("kubeconfig: context %q not found: %s", c, noContexts(o.config))}
			}
			return nil, &exitErr{code: exitKubeconfig, err: fmt.Errorf("kubeconfig: context %q not found; contexts: %s", c, strings.Join(known, ", "))}
		}
	}
	return o.contexts, nil
}

// flagsFor is a copy of kubectl's flags pointed at one context: each cluster gets its own
// client config, so nothing (credentials, caches) is shared between clusters.
func (o *rootOptions) flagsFor(name string) *genericclioptions.ConfigFlags {
	src := o.config
	c := genericclioptions.NewConfigFlags(false)
	c.CacheDir, c.KubeConfig = src.CacheDir, src.KubeConfig
	c.ClusterName, c.AuthInfoName, c.APIServer, c.TLSServerName = src.ClusterName, src.AuthInfoName, src.APIServer, src.TLSServerName
	c.Insecure, c.CertFile, c.KeyFile, c.CAFile, c.BearerToken = src.Insecure, src.CertFile, src.KeyFile, src.CAFile, src.BearerToken
	c.Impersonate, c.ImpersonateUID, c.ImpersonateGroup, c.ImpersonateUserExtra = src.Impersonate, src.ImpersonateUID, src.ImpersonateGroup, src.ImpersonateUserExtra
	c.Username, c.Password, c.Timeout, c.DisableCompression, c.ProxyURL = src.Username, src.Password, src.Timeout, src.DisableCompression, src.ProxyURL
	c.WrapConfigFn = src.WrapConfigFn
	c.Namespace = nil
	c.Context = &name
	return c
}

// completeContexts offers the kubeconfig's contexts for --context.
func (o *rootOptions) completeContexts(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	raw, err := o.config.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return slices.Sorted(maps.Keys(raw.Contexts)), cobra.ShellCompDirectiveNoFileComp
}
