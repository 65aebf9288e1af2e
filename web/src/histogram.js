// The histogram island: counts of the current query over time, drawn with
// uPlot. It is the timeline's scrollbar: drag to zoom into a range, click to
// jump the grid to a time; the band shows where the grid is.
import uPlot from 'uplot';
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';

export function Histogram({ data, zone, view, onZoom, onJump }) {
  const box = useRef(null);
  const plot = useRef(null);
  const cb = useRef({});
  cb.current = { onZoom, onJump, view };

  useEffect(() => {
    if (!box.current || !data) return;
    const xs = data.buckets.map((b) => Date.parse(b.start) / 1000);
    const ys = data.buckets.map((b) => b.count);
    if (xs.length === 1) { // one bar still needs a width
      xs.push(xs[0] + data.interval_ns / 1e9);
      ys.push(0);
    }
    const width = Math.max(300, box.current.clientWidth || 800);
    const opts = {
      width, height: 110,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), zone),
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      scales: { x: { time: true }, y: { range: (u, lo, hi) => [0, Math.max(1, hi)] } },
      // The y axis is as wide as its longest label (no clipped counts).
      axes: [{ stroke: '#333', grid: { show: false } }, { stroke: '#333', size: 16 + 8 * String(Math.max(...ys)).length, grid: { stroke: '#e5e5e5' } }],
      series: [{}, { label: 'events', fill: '#3b6ea8', stroke: '#2b5283', paths: uPlot.paths.bars({ size: [0.9, 60] }) }],
      hooks: {
        setSelect: [(u) => {
          if (u.select.width < 3) return;
          const a = u.posToVal(u.select.left, 'x');
          const b = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
          cb.current.onZoom(new Date(a * 1000).toISOString(), new Date(b * 1000).toISOString());
        }],
        draw: [(u) => {
          const v = cb.current.view;
          if (!v || !v.first) return;
          const x0 = u.valToPos(Date.parse(v.first) / 1000, 'x', true);
          const x1 = u.valToPos(Date.parse(v.last) / 1000, 'x', true);
          const { ctx } = u;
          ctx.save();
          ctx.fillStyle = 'rgba(230,120,0,0.35)';
          ctx.fillRect(x0 - 1, u.bbox.top, Math.max(2, x1 - x0 + 2), u.bbox.height);
          ctx.restore();
        }],
      },
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, [xs, ys], box.current);
    let down = null;
    const over = plot.current.over;
    over.addEventListener('mousedown', (e) => { down = e.clientX; });
    over.addEventListener('mouseup', (e) => {
      if (down !== null && Math.abs(e.clientX - down) < 3) {
        const r = over.getBoundingClientRect();
        const t = plot.current.posToVal(e.clientX - r.left, 'x');
        cb.current.onJump(new Date(t * 1000).toISOString());
      }
      down = null;
    });
    const ro = new ResizeObserver(() => {
      const w = Math.max(300, box.current?.clientWidth || 0);
      if (plot.current && Math.abs(plot.current.width - w) > 2) plot.current.setSize({ width: w, height: 110 });
    });
    ro.observe(box.current);
    return () => { ro.disconnect(); plot.current?.destroy(); plot.current = null; };
  }, [data, zone]);

  useEffect(() => { plot.current?.redraw(false, false); }, [view]);

  if (!data) return html`<div class="hist-empty">Loading histogram…</div>`;
  if (data.error) return html`<div class="hist-empty">No histogram: the search failed (see above).</div>`;
  return html`<div class="hist" data-testid="histogram" data-total=${data.total} data-interval=${data.interval} data-refined=${!!data.refined}>
    <div ref=${box} class="hist-plot"></div>
    <div class="hist-caption">${data.total} matches · ${data.interval} per bar${data.refined ? ' (the span of the matches)' : ''} · drag to zoom, click to jump</div>
  </div>`;
}
