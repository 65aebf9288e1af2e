package stats

import (
	"fmt"
	"image/color"
	"sort"
	"time"
)

// DefaultChartTop is how many ports a chart stacks when not told: the
// published charts show the top ten destination ports.
const DefaultChartTop = 10

// maxChartHours bounds a chart's width: a month of hourly bars.
const maxChartHours = 31 * 24

// Other is the series of the ports outside the top ones.
const Other = "other"

// Chart is the hourly stacked bars of the top ports, summed over the
// sensors of the rows it was made from.
type Chart struct {
	Title  string
	Hours  []time.Time // every hour from the first to the last, empty ones too
	Series []string    // port keys ("tcp/22"), largest first, then Other when any
	Values [][]int64   // [series][hour]
}

// NewChart builds the chart of a port-view result's top ports (DefaultChartTop
// when top is 0).
func NewChart(res *Result, top int) (*Chart, error) {
	if res.By != ByPort {
		return nil, fmt.Errorf("stats: charts show the port view, not %q", res.By)
	}
	if top <= 0 {
		top = DefaultChartTop
	}
	c := &Chart{Title: "Denied packets per hour, top destination ports (ICMP by type)"}
	if len(res.Rows) == 0 {
		return c, nil
	}
	totals := map[string]int64{}
	first, last := res.Rows[0].Hour, res.Rows[0].Hour
	for _, r := range res.Rows {
		totals[PortKey(r.Proto, r.Port)] += r.Count
		if r.Hour.Before(first) {
			first = r.Hour
		}
		if r.Hour.After(last) {
			last = r.Hour
		}
	}
	n := int(last.Sub(first)/time.Hour) + 1
	if n > maxChartHours {
		return nil, fmt.Errorf("stats: %d hours is too wide for a chart (at most %d); narrow it with --from/--to", n, maxChartHours)
	}
	keep := rank(totals, top)
	for k := range keep {
		c.Series = append(c.Series, k)
	}
	sort.Slice(c.Series, func(i, j int) bool {
		a, b := c.Series[i], c.Series[j]
		if totals[a] != totals[b] {
			return totals[a] > totals[b]
		}
		return a < b
	})
	if len(keep) < len(totals) {
		c.Series = append(c.Series, Other)
	}
	index := map[string]int{}
	for i, s := range c.Series {
		index[s] = i
	}
	for h := range n {
		c.Hours = append(c.Hours, first.Add(time.Duration(h)*time.Hour))
	}
	c.Values = make([][]int64, len(c.Series))
	for i := range c.Values {
		c.Values[i] = make([]int64, n)
	}
	for _, r := range res.Rows {
		k := PortKey(r.Proto, r.Port)
		s, ok := index[k]
		if !ok {
			s = index[Other]
		}
		c.Values[s][int(r.Hour.Sub(first)/time.Hour)] += r.Count
	}
	return c, nil
}

// max is the tallest bar.
func (c *Chart) max() int64 {
	var m int64
	for h := range c.Hours {
		var sum int64
		for s := range c.Series {
			sum += c.Values[s][h]
		}
		m = max(m, sum)
	}
	return m
}

// niceTicks returns the y axis step and top: 1, 2 or 5 times a power of
// ten, about five ticks.
func niceTicks(m int64) (step, top int64) {
	if m <= 0 {
		return 1, 1
	}
	step = 1
	for m/step > 5 {
		switch {
		case m/(step*2) <= 5:
			step *= 2
		case m/(step*5) <= 5:
			step *= 5
		default:
			step *= 10
		}
	}
	top = (m + step - 1) / step * step
	return step, top
}

// palette colours the series (Tableau 10) and Other (grey).
var palette = []color.RGBA{
	{0x4e, 0x79, 0xa7, 0xff}, {0xf2, 0x8e, 0x2b, 0xff}, {0xe1, 0x57, 0x59, 0xff}, {0x76, 0xb7, 0xb2, 0xff},
	{0x59, 0xa1, 0x4f, 0xff}, {0xed, 0xc9, 0x48, 0xff}, {0xb0, 0x7a, 0xa1, 0xff}, {0xff, 0x9d, 0xa7, 0xff},
	{0x9c, 0x75, 0x5f, 0xff}, {0x4b, 0x4b, 0x8f, 0xff},
}

var otherColor = color.RGBA{0xba, 0xb0, 0xac, 0xff}

func (c *Chart) color(s int) color.RGBA {
	if c.Series[s] == Other {
		return otherColor
	}
	return palette[s%len(palette)]
}

// layout is the chart's geometry in pixels, shared by SVG and PNG.
type layout struct {
	w, h                 int
	left, top, plotW     int
	plotH, barW, legendX int
	step, yTop           int64
	labelEvery           int // hours between x labels
}

// Geometry: bars of at least minBar pixels, a plot at least plotMinW wide,
// room for the legend at the right.
const (
	minBar   = 4
	plotMinW = 480
	plotH    = 300
	marginL  = 70
	marginT  = 40
	marginB  = 60
	legendW  = 130
)

func (c *Chart) layout() layout {
	n := max(len(c.Hours), 1)
	barW := max(minBar, plotMinW/n)
	l := layout{left: marginL, top: marginT, plotW: barW * n, plotH: plotH, barW: barW}
	l.legendX = l.left + l.plotW + 20
	l.w = l.legendX + legendW
	l.h = l.top + l.plotH + marginB
	l.step, l.yTop = niceTicks(c.max())
	// An x label needs about 70 pixels ("03-11 09h").
	l.labelEvery = 1
	for l.labelEvery*barW < 70 {
		l.labelEvery *= 2
	}
	return l
}

// y is the pixel row of value v.
func (l layout) y(v int64) int {
	return l.top + l.plotH - int(v*int64(l.plotH)/l.yTop)
}

func hourLabel(t time.Time) string { return t.UTC().Format("01-02 15h") }
