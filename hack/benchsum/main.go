// Command benchsum reads `go test -bench` output (several -count runs) on stdin and
// prints, per benchmark, the median of every metric and the range of those that varied,
// as a Markdown table: benchstat's summary without its dependency.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

type series struct {
	name   string
	pkg    string
	units  []string             // in order of first appearance
	values map[string][]float64 // by unit
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchsum:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	var order []string
	byName := map[string]*series{}
	pkg := ""
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = p
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimSuffix(f[0], "-"+lastDash(f[0]))
		s := byName[pkg+" "+name]
		if s == nil {
			s = &series{name: name, pkg: pkg, values: map[string][]float64{}}
			byName[pkg+" "+name] = s
			order = append(order, pkg+" "+name)
		}
		// f[1] is the iteration count; then value/unit pairs.
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			u := f[i+1]
			if _, seen := s.values[u]; !seen {
				s.units = append(s.units, u)
			}
			s.values[u] = append(s.values[u], v)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fmt.Fprintln(out, "| package | benchmark | runs | median | min–max |")
	fmt.Fprintln(out, "|---|---|---:|---|---|")
	for _, k := range order {
		s := byName[k]
		var med, spread []string
		runs := 0
		for _, u := range s.units {
			vs := s.values[u]
			runs = max(runs, len(vs))
			med = append(med, format(median(vs), u))
			if lo, hi := slices.Min(vs), slices.Max(vs); lo != hi {
				spread = append(spread, format(lo, u)+" – "+format(hi, u))
			}
		}
		fmt.Fprintf(out, "| %s | %s | %d | %s | %s |\n", strings.TrimPrefix(s.pkg, "github.com/twinscale/twinscale/"),
			strings.TrimPrefix(s.name, "Benchmark"), runs, strings.Join(med, ", "), strings.Join(spread, ", "))
	}
	return nil
}

// lastDash returns what follows the last '-' of a benchmark name (the GOMAXPROCS suffix).
func lastDash(s string) string {
	i := strings.LastIndexByte(s, '-')
	if i < 0 {
		return ""
	}
	if _, err := strconv.Atoi(s[i+1:]); err != nil {
		return ""
	}
	return s[i+1:]
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// format prints a value with its unit; ns/op in a readable unit.
func format(v float64, unit string) string {
	if unit == "ns/op" {
		switch {
		case v >= 1e9:
			return strconv.FormatFloat(v/1e9, 'g', 3, 64) + " s/op"
		case v >= 1e6:
			return strconv.FormatFloat(v/1e6, 'g', 3, 64) + " ms/op"
		case v >= 1e3:
			return strconv.FormatFloat(v/1e3, 'g', 3, 64) + " µs/op"
		}
	}
	s := strconv.FormatFloat(v, 'g', 4, 64)
	if v >= 1e4 || v == float64(int64(v)) {
		s = strconv.FormatFloat(v, 'f', 0, 64)
	}
	if unit != "" {
		s += " " + unit
	}
	return s
}
