package model

import (
	"math"
	"testing"
	"time"
)

func TestFormatNumber(t *testing.T) {
	cases := map[float64]string{
		0: "0", 3: "3", 8.9: "8.9", 8.611: "8.61", 2.96666: "2.97", 12.34: "12.3", 123.4: "123",
		6262.5: "6.26k", 999.9: "1k", 1.5e6: "1.5M", 0.004: "0.004", -2.5: "-2.5",
		math.NaN(): "n/a", math.Inf(1): "∞", math.Inf(-1): "-∞", 2.5e9: "2.5G", 3e12: "3T",
	}
	for in, want := range cases {
		if got := FormatNumber(in); got != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", in, got, want)
		}
	}
	if FormatRatio(1.0366) != "1.04" || FormatRatio(math.Inf(1)) != "∞" || FormatRatio(math.NaN()) != "n/a" {
		t.Error("FormatRatio")
	}
}

func TestFormatDuration(t *testing.T) {
	cases := map[time.Duration]string{
		6 * time.Second: "6s", 0: "0s", 250 * time.Second: "4m10s", 2 * time.Minute: "2m",
		125 * time.Minute: "2h5m", 3 * time.Hour: "3h", -5 * time.Second: "5s", 5600 * time.Millisecond: "6s",
		460 * time.Millisecond: "460ms", 450 * time.Microsecond: "450µs", 300 * time.Nanosecond: "1µs",
		36700 * time.Microsecond: "37ms", 999700 * time.Microsecond: "1s", 999700 * time.Nanosecond: "1ms",
	}
	for in, want := range cases {
		if got := FormatDuration(in); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", in, got, want)
		}
	}
}
