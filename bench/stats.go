package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// percentile returns the q-quantile (0..1) of sorted by the nearest-rank
// method, or 0 for an empty slice.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

func milliseconds(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// figure is one measured quantity across the interleaved runs, with the
// baseline it is divided by. Ratios are taken run by run, so that both sides
// of a ratio share that run's machine state.
type figure struct {
	scenario, name, unit string
	baseline             string // what the ratio divides by; "" for none
	target               string
	values, bases        []float64
}

// report collects figures in the order they were first added.
type report struct {
	figures []*figure
	index   map[string]*figure
}

func newReport() *report { return &report{index: map[string]*figure{}} }

// add records one run's value of a figure and, when baseline is not "", the
// value of its baseline in that run.
func (r *report) add(scenario, name, unit string, value float64, baseline string, base float64, target string) {
	key := scenario + "\x00" + name
	f := r.index[key]
	if f == nil {
		f = &figure{scenario: scenario, name: name, unit: unit, baseline: baseline, target: target}
		r.index[key] = f
		r.figures = append(r.figures, f)
	}
	f.values = append(f.values, value)
	f.bases = append(f.bases, base)
}

// spread returns the median, min and max of values.
func spread(values []float64) (median, low, high float64) {
	if len(values) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	n := len(sorted)
	median = sorted[n/2]
	if n%2 == 0 {
		median = (sorted[n/2-1] + sorted[n/2]) / 2
	}
	return median, sorted[0], sorted[n-1]
}

func formatSpread(values []float64, unit string) string {
	median, low, high := spread(values)
	text := formatNumber(median)
	if unit != "" {
		text += " " + unit
	}
	if len(values) == 1 {
		return text
	}
	return fmt.Sprintf("%s [%s–%s]", text, formatNumber(low), formatNumber(high))
}

func formatNumber(v float64) string {
	switch abs := math.Abs(v); {
	case math.IsNaN(v):
		return "n/a"
	case abs == 0:
		return "0"
	case abs >= 100:
		return fmt.Sprintf("%.0f", v)
	case abs >= 10:
		return fmt.Sprintf("%.1f", v)
	case abs >= 0.1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

// write prints the report as a Markdown table: value, baseline and ratio,
// each as the median of the runs with [min–max].
func (r *report) write(w io.Writer) {
	fmt.Fprintln(w, "| scenario | figure | value | baseline (same run) | ratio | target |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- |")
	for _, f := range r.figures {
		baseline, ratio := "—", "—"
		if f.baseline != "" {
			baseline = f.baseline + ": " + formatSpread(f.bases, f.unit)
			ratios := make([]float64, 0, len(f.values))
			for i, value := range f.values {
				if f.bases[i] != 0 {
					ratios = append(ratios, value/f.bases[i])
				}
			}
			if len(ratios) > 0 {
				ratio = strings.Replace(formatSpread(ratios, "×"), " ×", "×", 1)
			} else {
				ratio = "n/a"
			}
		}
		target := f.target
		if target == "" {
			target = "—"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", f.scenario, f.name, formatSpread(f.values, f.unit), baseline, ratio, target)
	}
}
