package chart

import "math"

// ticks are the round values an axis from lo to hi marks, about n of
// them, the first at or below lo and the last at or above hi: 1, 2 or 5
// times a power of ten apart (Heckbert's "nice numbers").
func ticks(lo, hi float64, n int) []float64 {
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi == lo {
		lo, hi = math.Min(0, lo), math.Max(0, hi)
		if hi == lo {
			hi = 1
		}
	}
	step := nice((hi - lo) / float64(n-1))
	start, end := math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	unit := math.Pow(10, math.Max(0, -math.Floor(math.Log10(step))))
	var out []float64
	for i := 0; ; i++ {
		v := start + float64(i)*step
		if v > end+step/2 {
			break
		}
		out = append(out, math.Round(v*unit)/unit) // 0.6, not 0.6000000000000001
	}
	return out
}

// nice rounds x to 1, 2, 5 or 10 times a power of ten.
func nice(x float64) float64 {
	exp := math.Floor(math.Log10(x))
	f := x / math.Pow(10, exp)
	switch {
	case f < 1.5:
		f = 1
	case f < 3:
		f = 2
	case f < 7:
		f = 5
	default:
		f = 10
	}
	return f * math.Pow(10, exp)
}
