package model

import (
	"slices"
	"testing"
)

func TestMissingPairs(t *testing.T) {
	one := &Snapshot{Pairs: []Pair{{Key: "shop/search"}, {Key: "shop/cart"}}}
	many := &Snapshot{Pairs: []Pair{{Key: "a/shop/search"}, {Key: "b/shop/cart"}}}
	cases := []struct {
		name   string
		snap   *Snapshot
		wanted []string
		want   []string
	}{
		{"all there", one, []string{"shop/search", " shop/cart"}, nil},
		{"one missing, once", one, []string{"shop/search", "x/y", "x/y"}, []string{"x/y"}},
		{"a context on one cluster", one, []string{"a/shop/search"}, []string{"a/shop/search"}},
		{"no context: any cluster", many, []string{"shop/search", "shop/cart"}, nil},
		{"a context names its cluster only", many, []string{"a/shop/search", "a/shop/cart", "c/shop/search"}, []string{"a/shop/cart", "c/shop/search"}},
		{"nothing wanted", one, nil, nil},
	}
	for _, c := range cases {
		if got := MissingPairs(c.snap, c.wanted); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
