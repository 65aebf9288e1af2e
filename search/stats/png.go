package stats

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"strconv"
	"unicode"
)

// font is a 3×5 bitmap font: each glyph's rows top down, "1" a pixel.
// Letters have one (capital) form. Enough for axis counts, hour labels,
// port keys and the title.
var font = map[rune]string{
	'0': "111101101101111", '1': "010110010010111", '2': "111001111100111", '3': "111001111001111",
	'4': "101101111001001", '5': "111100111001111", '6': "111100111101111", '7': "111001010010010",
	'8': "111101111101111", '9': "111101111001111",
	'A': "010101111101101", 'B': "110101110101110", 'C': "011100100100011", 'D': "110101101101110",
	'E': "111100110100111", 'F': "111100110100100", 'G': "011100101101011", 'H': "101101111101101",
	'I': "111010010010111", 'J': "001001001101010", 'K': "101101110101101", 'L': "100100100100111",
	'M': "101111111101101", 'N': "110101101101101", 'O': "010101101101010", 'P': "110101110100100",
	'Q': "010101101110011", 'R': "110101110101101", 'S': "011100010001110", 'T': "111010010010010",
	'U': "101101101101111", 'V': "101101101101010", 'W': "101101111111101", 'X': "101101010101101",
	'Y': "101101010010010", 'Z': "111001010100111",
	'/': "001001010100100", ':': "000010000010000", '-': "000000111000000", '.': "000000000000010",
	',': "000000000010100", '(': "010100100100010", ')': "010001001001010", ' ': "000000000000000",
}

// fontScale enlarges the 3×5 glyphs to 6×10 pixels; glyphs advance by
// glyphAdvance.
const (
	fontScale    = 2
	glyphAdvance = 4 * fontScale
	glyphHeight  = 5 * fontScale
)

// text draws s with its top left corner at (x, y); unknown runes are blank.
func text(img *image.RGBA, x, y int, s string, c color.RGBA) {
	for _, r := range s {
		g := font[unicode.ToUpper(r)]
		for i := 0; i < len(g); i++ {
			if g[i] != '1' {
				continue
			}
			px, py := x+(i%3)*fontScale, y+(i/3)*fontScale
			fill(img, px, py, fontScale, fontScale, c)
		}
		x += glyphAdvance
	}
}

func textWidth(s string) int { return len([]rune(s)) * glyphAdvance }

func fill(img *image.RGBA, x, y, w, h int, c color.RGBA) {
	draw.Draw(img, image.Rect(x, y, x+w, y+h), &image.Uniform{c}, image.Point{}, draw.Src)
}

var (
	black = color.RGBA{0, 0, 0, 0xff}
	grid  = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	white = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// PNG writes the chart as a PNG image (the same layout as SVG, with the
// x labels every other slot to fit the bitmap font).
func (c *Chart) PNG(w io.Writer) error {
	l := c.layout()
	l.labelEvery *= 2
	img := image.NewRGBA(image.Rect(0, 0, l.w, l.h+20))
	fill(img, 0, 0, l.w, l.h+20, white)
	text(img, l.left, 12, c.Title, black)
	for v := int64(0); v <= l.yTop; v += l.step {
		y := l.y(v)
		fill(img, l.left, y, l.plotW, 1, grid)
		s := strconv.FormatInt(v, 10)
		text(img, l.left-8-textWidth(s), y-glyphHeight/2, s, black)
	}
	for h := range c.Hours {
		var base int64
		x := l.left + h*l.barW
		for s := range c.Series {
			v := c.Values[s][h]
			if v == 0 {
				continue
			}
			y0, y1 := l.y(base), l.y(base+v)
			fill(img, x, y1, max(l.barW-1, 1), y0-y1, c.color(s))
			base += v
		}
		if h%l.labelEvery == 0 {
			fill(img, x, l.top+l.plotH, 1, 5, black)
			text(img, x, l.top+l.plotH+8, hourLabel(c.Hours[h]), black)
		}
	}
	fill(img, l.left, l.top, 1, l.plotH+1, black)
	fill(img, l.left, l.top+l.plotH, l.plotW, 1, black)
	for s, name := range c.Series {
		y := l.top + s*18
		fill(img, l.legendX, y, 12, 12, c.color(s))
		text(img, l.legendX+18, y+1, name, black)
	}
	return png.Encode(w, img)
}
