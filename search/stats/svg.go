package stats

import (
	"bufio"
	"fmt"
	"html"
	"image/color"
	"io"
)

func hex(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// SVG writes the chart as an SVG document.
func (c *Chart) SVG(w io.Writer) error {
	l := c.layout()
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", l.w, l.h, l.w, l.h)
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", l.w, l.h)
	fmt.Fprintf(b, `<text x="%d" y="20" font-size="13">%s</text>`+"\n", l.left, html.EscapeString(c.Title))
	// Y axis: grid lines and counts.
	for v := int64(0); v <= l.yTop; v += l.step {
		y := l.y(v)
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#dddddd"/>`+"\n", l.left, y, l.left+l.plotW, y)
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">%d</text>`+"\n", l.left-6, y+4, v)
	}
	// Bars, bottom up in series order.
	for h := range c.Hours {
		var base int64
		x := l.left + h*l.barW
		for s := range c.Series {
			v := c.Values[s][h]
			if v == 0 {
				continue
			}
			y0, y1 := l.y(base), l.y(base+v)
			fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s %s: %d</title></rect>`+"\n",
				x, y1, max(l.barW-1, 1), y0-y1, hex(c.color(s)), hourLabel(c.Hours[h]), html.EscapeString(c.Series[s]), v)
			base += v
		}
		if h%l.labelEvery == 0 {
			fmt.Fprintf(b, `<text x="%d" y="%d" transform="rotate(30 %d %d)">%s</text>`+"\n",
				x, l.top+l.plotH+14, x, l.top+l.plotH+14, hourLabel(c.Hours[h]))
		}
	}
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#000000"/>`+"\n", l.left, l.top, l.left, l.top+l.plotH)
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#000000"/>`+"\n", l.left, l.top+l.plotH, l.left+l.plotW, l.top+l.plotH)
	fmt.Fprintf(b, `<text x="14" y="%d" transform="rotate(-90 14 %d)" text-anchor="middle">denied per hour (UTC)</text>`+"\n", l.top+l.plotH/2, l.top+l.plotH/2)
	// Legend.
	for s, name := range c.Series {
		y := l.top + s*18
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/>`+"\n", l.legendX, y, hex(c.color(s)))
		fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`+"\n", l.legendX+18, y+10, html.EscapeString(name))
	}
	fmt.Fprintln(b, `</svg>`)
	return b.Flush()
}
