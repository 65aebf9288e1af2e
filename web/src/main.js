// The web timeline: islands mounted into the server-rendered page. All log
// content is rendered as text nodes (never markup, never a link target).
import { render } from 'preact';
import { html } from 'htm/preact';
import { useState, useEffect, useRef, useCallback } from 'preact/hooks';
import { api, post, colour } from './api.js';
import { fmtTime, validZone } from './time.js';
import { Histogram } from './histogram.js';

const root = document.getElementById('app');
const caseZone = root.dataset.caseZone || 'UTC';
const PAGE = 100;
const KEEP = 400; // rows kept in the grid while scrolling

function readURL() {
  const u = new URL(location.href);
  const p = u.searchParams;
  return {
    q: p.get('q') || '', from: p.get('from') || '', to: p.get('to') || '', at: p.get('at') || '',
    host: p.getAll('host'), source: p.getAll('source'), tag: p.getAll('tag'),
    tz: p.get('tz') || localStorage.getItem('kiseki.tz') || 'UTC',
  };
}

function params(s, extra = {}) {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  if (s.from) p.set('from', s.from);
  if (s.to) p.set('to', s.to);
  for (const f of ['host', 'source', 'tag']) for (const v of s[f]) p.append(f, v);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== '') p.set(k, v);
  return p;
}

function zoneName(tz) { return tz === 'case' ? caseZone : tz; }

// writeURL records the search in the address bar: a new search (query,
// range, filters, zone, jump) is a new history entry, so Back and Forward
// step through searches; a state restored from history replaces.
function writeURL(s, replace) {
  const p = params(s, { tz: s.tz === 'UTC' ? '' : s.tz, at: s.at });
  const qs = p.toString();
  const url = qs ? '?' + qs : location.pathname;
  if (replace || location.search === (qs ? '?' + qs : '')) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
}

// NICE are the bar widths a refined histogram may use (Go durations).
const NICE = [['1s', 1e3], ['5s', 5e3], ['10s', 1e4], ['30s', 3e4], ['1m', 6e4], ['5m', 3e5], ['10m', 6e5], ['15m', 9e5],
  ['30m', 18e5], ['1h', 36e5], ['3h', 108e5], ['6h', 216e5], ['12h', 432e5], ['24h', 864e5]];
const BARS = 100; // bars a refined histogram aims at
const MIN_BARS = 10; // matches spread over fewer bars than this are redrawn

// refine redraws a histogram whose matches fill only a few of its bars
// (176 matches within 2 hours in one 24-hour bar) over the span of the
// matches, with bars about a hundredth of it.
function refine(h, s, tzp) {
  const nz = h.buckets.filter((b) => b.count > 0);
  if (!nz.length) return h;
  const a = Date.parse(nz[0].start);
  const z = Date.parse(nz[nz.length - 1].start) + h.interval_ns / 1e6;
  if ((z - a) / (h.interval_ns / 1e6) >= MIN_BARS) return h;
  const iv = NICE.find(([, ms]) => ms >= (z - a) / BARS) || NICE[NICE.length - 1];
  if (iv[1] * 1e6 >= h.interval_ns) return h;
  const from = new Date(a).toISOString(), to = new Date(z - 1).toISOString();
  return api('histogram', params({ ...s, from, to }, { ...tzp, interval: iv[0] })).then((r) => ({ ...r, refined: true }));
}

// queryError finds the position a query error names in the user's own
// text ("... at position N" counts in the query as the server saw it).
export function queryError(msg, q) {
  const m = /^query "(.*)": (.*?)(?: at position (\d+))?$/s.exec(msg);
  if (!m) return { msg, pos: -1 };
  const off = m[1].indexOf(q);
  const pos = m[3] !== undefined && off >= 0 ? Number(m[3]) - off : -1;
  return { msg: m[2], pos: pos >= 1 ? Math.min(pos, q.length + 1) : -1 }; // past the end: the caret after the text
}

// whereOf says which control an API error belongs to.
function whereOf(msg) {
  if (/^query /.test(msg)) return 'query';
  if (/^(at|from|to)\b|time "/.test(msg)) return 'jump';
  if (/zone|tz/i.test(msg)) return 'zone';
  return 'query';
}

function App() {
  const [s, setS] = useState(readURL);
  const [rows, setRows] = useState([]);
  const [more, setMore] = useState({ before: false, after: false });
  const [sel, setSel] = useState(0);
  // The key handler reads and moves the selection through a ref: two keys
  // pressed before a re-render must both count, not both start from the
  // same stale value.
  const selRef = useRef(0);
  selRef.current = sel;
  const rowsRef = useRef([]);
  rowsRef.current = rows;
  const keepRow = useRef(null); // the row to select again after a zone switch
  const [hist, setHist] = useState(null);
  const [facets, setFacets] = useState(null);
  const [detail, setDetail] = useState(null);
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState([]);
  const [picked, setPicked] = useState(() => new Set()); // rows chosen for a bulk star or tag
  const [bulkTag, setBulkTag] = useState('');
  const grid = useRef(null);
  const zone = zoneName(s.tz);

  const update = (patch) => { fromHistory.current = false; setS((o) => ({ ...o, ...patch })); };
  const fromHistory = useRef(true);
  useEffect(() => {
    const pop = () => { fromHistory.current = true; setS(readURL()); };
    window.addEventListener('popstate', pop);
    return () => window.removeEventListener('popstate', pop);
  }, []);
  const fail = (e) => setErr({ where: whereOf(e.message), ...queryError(e.message, s.q), raw: e.message });

  // The page of events around s.at (or the oldest), and the aggregates.
  useEffect(() => {
    if (!validZone(zone)) {
      setErr({ where: 'zone', msg: `unknown time zone "${zone}": want an IANA name such as Asia/Tokyo`, pos: -1 });
      setBusy(false);
      return;
    }
    writeURL(s, fromHistory.current);
    let live = true;
    setErr('');
    setBusy(true);
    const tzp = { tz: s.tz };
    const ev = api('events', params(s, s.at ? { at: s.at, limit: PAGE, ...tzp } : { limit: PAGE, ...tzp }));
    ev.then((r) => {
      if (!live) return;
      setRows(r.events);
      setMore({ before: r.more_before, after: r.more_after });
      const keep = r.events.findIndex((e) => e.row === keepRow.current);
      keepRow.current = null;
      setSel(keep >= 0 ? keep : 0);
      if (grid.current) grid.current.scrollTop = 0;
    }).catch((e) => { if (live) { fail(e); setRows([]); setHist({ error: true }); } }).finally(() => live && setBusy(false));
    api('histogram', params(s, tzp)).then((h) => refine(h, s, tzp)).then((h) => live && setHist(h)).catch(() => live && setHist({ error: true }));
    api('facets', params(s, tzp)).then((f) => live && setFacets(f)).catch(() => {});
    return () => { live = false; };
  }, [s.q, s.from, s.to, s.at, s.host.join(), s.source.join(), s.tag.join(), s.tz]);

  useEffect(() => { api('annotations').then((a) => setSaved(a.searches)).catch(() => {}); }, []);

  const page = useCallback(async (dir) => {
    if (busy) return;
    const edge = dir > 0 ? rows[rows.length - 1] : rows[0];
    if (!edge && dir !== 0) return;
    setBusy(true);
    try {
      const r = await api('events', params(s, dir > 0 ? { after: edge.cursor, limit: PAGE } : { before: edge.cursor, limit: PAGE }));
      if (dir > 0) {
        const all = rows.concat(r.events);
        const drop = Math.max(0, all.length - KEEP);
        setRows(all.slice(drop));
        setMore({ before: more.before || drop > 0, after: r.more_after });
        setSel((i) => Math.max(0, i - drop));
      } else {
        const all = r.events.concat(rows);
        setRows(all.slice(0, KEEP));
        setMore({ before: r.more_before, after: more.after || all.length > KEEP });
        setSel((i) => i + r.events.length);
        if (grid.current) grid.current.scrollTop += r.events.length * 26;
      }
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }, [rows, more, busy, s]);

  const ends = async (newest) => {
    setBusy(true);
    try {
      const r = await api('events', params(s, newest ? { end: '1', limit: PAGE } : { limit: PAGE }));
      setRows(r.events);
      setMore({ before: r.more_before, after: r.more_after });
      setSel(newest ? r.events.length - 1 : 0);
    } catch (e) { fail(e); } finally { setBusy(false); }
  };

  const openDetail = async (row) => {
    try {
      setDetail(await api('events/' + row));
    } catch (e) { fail(e); }
  };

  const refreshRow = async (row) => {
    const d = await api('events/' + row);
    setDetail((old) => (old && old.event.row === row ? d : old));
    setRows((rs) => rs.map((r) => (r.row === row ? { ...r, starred: d.notes.starred, notes: d.notes.tags, comments: (d.notes.comments || []).length } : r)));
  };

  const annotate = async (row, kind, value) => {
    try {
      await post('annotations', { kind, row, value });
      await refreshRow(row);
    } catch (e) { fail(e); }
  };

  // bulk stars or tags every chosen row (one audited annotation each).
  const bulk = async (kind, value) => {
    try {
      for (const row of picked) await post('annotations', { kind, row, value });
      for (const row of picked) await refreshRow(row);
      setPicked(new Set());
    } catch (e) { fail(e); }
  };
  const pick = (row, on) => setPicked((p) => { const n = new Set(p); if (on) n.add(row); else n.delete(row); return n; });

  const onScroll = (e) => {
    const g = e.currentTarget;
    if (g.scrollTop + g.clientHeight > g.scrollHeight - 40 && more.after) page(1);
    else if (g.scrollTop < 20 && more.before) page(-1);
  };

  // Keyboard: j/k or arrows move, Enter opens, s stars, n/p or PageDown/Up
  // page, Home/End jump to the ends, / search, g jump to a time, Esc closes.
  useEffect(() => {
    const key = (e) => {
      const t = e.target;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) {
        if (e.key === 'Escape') t.blur();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const cur = selRef.current;
      const r = rows[cur];
      const move = (i) => { selRef.current = i; setSel(i); };
      switch (e.key) {
        case 'j': case 'ArrowDown':
          if (cur + 1 < rows.length) move(cur + 1); else if (more.after) page(1);
          break;
        case 'k': case 'ArrowUp':
          if (cur > 0) move(cur - 1); else if (more.before) page(-1);
          break;
        case 'Enter': if (r) openDetail(r.row); break;
        case 's': if (r) annotate(r.row, r.starred ? 'unstar' : 'star'); break;
        case 'n': case 'PageDown': page(1); break;
        case 'p': case 'PageUp': page(-1); break;
        case 'Home': ends(false); break;
        case 'End': ends(true); break;
        case '/': document.getElementById('q').focus(); break;
        case 'g': document.getElementById('jump').focus(); break;
        case 'Escape': setDetail(null); break;
        default: return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [rows, sel, more, page]);

  // Paging and moving keep the position in the address bar (replaced, not
  // a new history entry): a reload or a zone switch comes back to it.
  useEffect(() => {
    const cur = rows[sel];
    if (!cur) return;
    const u = new URL(location.href);
    u.searchParams.set('at', cur.time);
    history.replaceState(null, '', u.search);
  }, [sel, rows]);

  useEffect(() => {
    const el = grid.current && grid.current.querySelector('tr.sel');
    if (el && el.scrollIntoView) el.scrollIntoView({ block: 'nearest' });
  }, [sel, rows]);

  // The server-rendered search form drives the state.
  useEffect(() => {
    const form = document.getElementById('searchform');
    const q = document.getElementById('q');
    const jump = document.getElementById('jump');
    const tz = document.getElementById('tz');
    const other = document.getElementById('tzother');
    q.value = s.q;
    const known = s.tz === 'UTC' || s.tz === 'case';
    tz.value = known ? s.tz : 'other';
    other.classList.toggle('hidden', known);
    if (!known) other.value = s.tz;
    const submit = (e) => {
      e.preventDefault();
      const at = jump.value.trim();
      jump.value = '';
      if (document.activeElement === jump && at) update({ at });
      else update({ q: q.value, at: at || '' });
      document.activeElement?.blur?.();
    };
    const onJumpKey = (e) => { if (e.key === 'Enter') { e.preventDefault(); const at = jump.value.trim(); if (at) update({ at }); jump.blur(); } };
    // A zone switch keeps the grid where it is: at the selected row.
    const setZone = (z) => {
      localStorage.setItem('kiseki.tz', z);
      const cur = rowsRef.current[selRef.current];
      keepRow.current = cur ? cur.row : null;
      update(cur ? { tz: z, at: cur.time } : { tz: z });
    };
    const onTz = () => {
      if (tz.value === 'other') { other.classList.remove('hidden'); other.focus(); return; }
      other.classList.add('hidden');
      setZone(tz.value);
    };
    const onOther = (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      const z = other.value.trim();
      if (validZone(z)) { other.setCustomValidity(''); setErr(''); setZone(z); } else {
        other.setCustomValidity('unknown zone');
        setErr({ where: 'zone', msg: `unknown time zone "${z}": want an IANA name such as Asia/Tokyo`, pos: -1 });
      }
    };
    form.addEventListener('submit', submit);
    jump.addEventListener('keydown', onJumpKey);
    tz.addEventListener('change', onTz);
    other.addEventListener('keydown', onOther);
    return () => {
      form.removeEventListener('submit', submit);
      jump.removeEventListener('keydown', onJumpKey);
      tz.removeEventListener('change', onTz);
      other.removeEventListener('keydown', onOther);
    };
  }, [s.tz, s.q]);

  const view = rows.length ? { first: rows[0].time, last: rows[rows.length - 1].time } : null;
  const toggle = (f, v) => update({ [f]: s[f].includes(v) ? s[f].filter((x) => x !== v) : s[f].concat(v), at: '' });

  return html`
    <${Portal} into="searcherror">${err && html`<${ErrorNote} err=${err} q=${s.q} />`}<//>
    <${Portal} into="histogram">
      <${Histogram} data=${hist} zone=${zone} view=${view}
        onZoom=${(from, to) => update({ from, to, at: '' })}
        onJump=${(at) => update({ at })} />
      <div class="range">
        ${s.from || s.to ? html`<span>Range: ${fmtTime(s.from, zone, 0) || '…'} – ${fmtTime(s.to, zone, 0) || '…'}</span>
          <button type="button" onClick=${() => update({ from: '', to: '' })}>Whole timeline</button>` : html`<span>Whole timeline</span>`}
        <a href=${'/api/v1/export?' + params(s, { format: 'csv', tz: zone })} download>Export CSV</a>
        <a href=${'/api/v1/export?' + params(s, { format: 'jsonl', tz: zone })} download>Export JSONL</a>
      </div>
    <//>
    <${Portal} into="facets">
      <${Facets} facets=${facets} s=${s} toggle=${toggle} />
      <${Saved} s=${s} saved=${saved} setSaved=${setSaved} go=${(a) => update({ q: a.value, from: a.from || '', to: a.to || '', at: '', host: [], source: [], tag: [] })} />
    <//>
    <${Portal} into="grid">
      <div class="gridbar">
        <button type="button" onClick=${() => ends(false)} title="Home">Oldest</button>
        <button type="button" onClick=${() => page(-1)} disabled=${!more.before} title="p / PageUp">Older</button>
        <button type="button" onClick=${() => page(1)} disabled=${!more.after} title="n / PageDown">Newer</button>
        <button type="button" onClick=${() => ends(true)} title="End">Newest</button>
        ${picked.size > 0 && html`<span class="bulk" data-testid="bulk">${picked.size} chosen
          <button type="button" onClick=${() => bulk('star')}>Star</button>
          <label for="bulktag" class="sr-only">Tag for the chosen rows</label>
          <input id="bulktag" value=${bulkTag} onInput=${(e) => setBulkTag(e.target.value)} placeholder="tag" size="12" />
          <button type="button" onClick=${() => { if (bulkTag.trim()) { bulk('tag', bulkTag.trim()); setBulkTag(''); } }}>Tag chosen</button>
          <button type="button" onClick=${() => setPicked(new Set())}>Clear</button></span>`}
        <span class="zone" data-testid="zone">Times in ${zone}</span>
        ${busy && html`<span class="busy">loading…</span>`}
      </div>
      <div class="gridscroll" ref=${grid} onScroll=${onScroll} tabindex="0" aria-label="events">
        <table class="events" data-testid="events">
          <thead><tr><th scope="col"><span class="sr-only">star</span></th><th scope="col">Time</th><th scope="col">Host</th><th scope="col">Source</th><th scope="col"><abbr title="what the time is: M modified, A accessed, C changed, B born, or the log's meaning">Time type</abbr></th><th scope="col">Event</th></tr></thead>
          <tbody>
            ${rows.map((r, i) => html`<${Row} key=${r.row} r=${r} zone=${zone} selected=${i === sel}
                picked=${picked.has(r.row)} onPick=${(on) => pick(r.row, on)}
                onSelect=${() => { setSel(i); openDetail(r.row); }}
                onStar=${() => annotate(r.row, r.starred ? 'unstar' : 'star')} />`)}
          </tbody>
        </table>
        ${!busy && !err && rows.length === 0 && html`<p class="empty">No events match.</p>`}
      </div>
    <//>
    <${Portal} into="detail">
      ${detail && html`<${Detail} d=${detail} zone=${zone} close=${() => setDetail(null)} annotate=${annotate}
        context=${(secs) => {
          const t = Date.parse(detail.event.time);
          // Context is every event within ±N of this one, whatever the
          // query and filters: they are cleared (Back restores them).
          const from = new Date(t - secs * 1000).toISOString();
          update({ q: '', host: [], source: [], tag: [], from, to: new Date(t + secs * 1000).toISOString(), at: from });
        }} />`}
    <//>`;
}

// ErrorNote shows an error beside the control the user acted on: a query
// error with a caret under the position in the user's own text.
function ErrorNote({ err, q }) {
  const label = { query: 'Query', jump: 'Jump / range', zone: 'Zone' }[err.where] || 'Error';
  useEffect(() => {
    const id = { query: 'q', jump: 'jump', zone: 'tzother' }[err.where];
    const el = id && document.getElementById(id);
    if (el) el.setAttribute('aria-invalid', 'true');
    return () => el && el.removeAttribute('aria-invalid');
  }, [err]);
  return html`<div class="error" role="alert" data-testid="error" data-where=${err.where} data-pos=${err.pos}>
    <strong>${label}:</strong> ${err.msg}
    ${err.where === 'query' && err.pos >= 0 && html`<pre class="caret" data-testid="caret">${q + '\n' + ' '.repeat(Math.max(0, err.pos - 1)) + '^'}</pre>`}
  </div>`;
}

// Portal renders children into one of the server-rendered island slots.
function Portal({ into, children }) {
  const el = document.getElementById(into);
  useEffect(() => { render(html`${children}`, el); });
  useEffect(() => () => render(null, el), []);
  return null;
}

function Row({ r, zone, selected, onSelect, onStar, picked, onPick }) {
  return html`<tr class=${selected ? 'sel' : ''} data-row=${r.row} onClick=${onSelect} aria-selected=${selected}>
    <td class="pick"><input type="checkbox" class="pick" checked=${picked} aria-label="choose this event"
      onClick=${(e) => e.stopPropagation()} onChange=${(e) => onPick(e.target.checked)} /><button type="button" class=${'star' + (r.starred ? ' on' : '')} aria-pressed=${!!r.starred}
      aria-label=${r.starred ? 'unstar event' : 'star event'} onClick=${(e) => { e.stopPropagation(); onStar(); }}>${r.starred ? '★' : '☆'}</button></td>
    <td class="time">${fmtTime(r.time, zone)}</td>
    <td><span class="sw" style=${{ background: colour(r.host) }}></span>${r.host}</td>
    <td><span class="sw" style=${{ background: colour(r.source) }}></span>${r.source}</td>
    <td class="tdesc"><abbr title=${r.time_desc}>${timeType(r.time_desc)}</abbr></td>
    <td class="summary">${clientOf(r) && html`<span class="client" title="the client behind the proxy (X-Forwarded-For / client_ip)">client ${clientOf(r)} </span>`}${r.summary}${(r.notes || []).map((t) => html` <span class="note">${t}</span>`)}${r.comments ? html` <span class="note">💬${r.comments}</span>` : ''}</td>
  </tr>`;
}

// clientOf is the client behind a proxy that a web row records (client_ip,
// else the first X-Forwarded-For address) when it differs from the
// connecting address: the address to search with client_ip:.
export function clientOf(r) {
  const x = r.extra || {};
  const c = (x.client_ip || (x.x_forwarded_for || '').split(',')[0] || '').trim();
  return c && c !== '-' && c !== r.src_ip ? c : '';
}

// timeType names what a row's time is: M, A, C, B for file system times
// ($SI/$FN prefixes kept), the log's own meaning otherwise.
const MACB = { mtime: 'M', atime: 'A', ctime: 'C', crtime: 'B', dtime: 'D' };
export function timeType(d) {
  if (!d) return '';
  const i = d.lastIndexOf(' ');
  const base = i >= 0 ? d.slice(i + 1) : d;
  if (MACB[base]) return (i >= 0 ? d.slice(0, i) + ' ' : '') + MACB[base];
  return d;
}

function Facets({ facets, s, toggle }) {
  if (!facets) return html`<p>Loading facets…</p>`;
  return html`${['host', 'source', 'tag'].map((f) => html`<fieldset class="facet">
    <legend>${f}</legend>
    ${(facets[f] || []).length === 0 && html`<p class="muted">none</p>`}
    ${(facets[f] || []).map((v) => html`<label class="fv">
      <input type="checkbox" checked=${s[f].includes(v.value)} onChange=${() => toggle(f, v.value)} />
      <span class="sw" style=${{ background: colour(v.value) }}></span><span class="fvn">${v.value}</span> <span class="count">${v.count}</span>
    </label>`)}
  </fieldset>`)}`;
}

// fullQuery is the search as one query: the text and every facet filter
// (ORed within a field, as the grid applies them), so a saved search keeps
// them all.
export function fullQuery(s) {
  const parts = s.q.trim() ? ['(' + s.q.trim() + ')'] : [];
  for (const f of ['host', 'source', 'tag']) {
    if (s[f].length) parts.push('(' + s[f].map((v) => `${f}:"${v.replace(/["\\]/g, '\\$&')}"`).join(' OR ') + ')');
  }
  return parts.join(' AND ');
}

function Saved({ s, saved, setSaved, go }) {
  const [name, setName] = useState('');
  const save = async (e) => {
    e.preventDefault();
    if (!name.trim()) return;
    const q = params(s).toString();
    await post('annotations', { kind: 'search', name: name.trim(), value: fullQuery(s), from: s.from, to: s.to });
    setName('');
    setSaved((await api('annotations')).searches);
    return q;
  };
  return html`<section class="saved"><h2>Saved searches</h2>
    <ul>${saved.map((a) => html`<li><button type="button" class="linkish" onClick=${() => go(a)}>${a.name}</button></li>`)}</ul>
    <form onSubmit=${save}><label for="savename" class="sr-only">Name for this search</label>
      <input id="savename" value=${name} onInput=${(e) => setName(e.target.value)} placeholder="Name this search" />
      <button type="submit">Save</button></form></section>`;
}

const WINDOWS = [['±1 s', 1], ['±10 s', 10], ['±1 min', 60], ['±10 min', 600], ['±1 h', 3600]];

function Detail({ d, zone, close, annotate, context }) {
  const [tag, setTag] = useState('');
  const [comment, setComment] = useState('');
  const e = d.event;
  const fields = [['Time', fmtTime(e.time, zone, 9)], ['Time (UTC)', e.time], ['As written', `${e.time_orig || ''} ${e.zone || ''}`],
    ['Meaning', e.time_desc], ['Host', e.host], ['Source', e.source], ['Reference', refString(e.ref)]];
  if (clientOf(e)) fields.push(['client_ip', clientOf(e)]);
  for (const k of ['src_ip', 'src_port', 'dst_ip', 'dst_port', 'user', 'method', 'url', 'status', 'bytes', 'user_agent', 'path', 'action', 'sandia', 'target', 'benign']) {
    if (e[k] !== undefined && e[k] !== '') fields.push([k, String(e[k])]);
  }
  if (e.tags) fields.push(['tags', e.tags.join(', ')]);
  for (const [k, v] of Object.entries(e.extra || {})) fields.push([k, v]);
  const n = d.notes || {};
  for (const f of fields) if (f[1] && f[1].length > 4096) f[1] = f[1].slice(0, 4096) + ` … (${f[1].length - 4096} more characters: download the raw record)`;
  return html`<div class="detail" data-testid="detail" data-row=${e.row}>
    <div class="dhead"><h2>Event ${e.row}</h2><button type="button" onClick=${close} aria-label="close detail">×</button></div>
    <dl class="fields">${fields.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
    ${d.evidence && html`<p class="evid">Evidence ${d.evidence.id}: ${d.evidence.path}<br/>SHA-256 <code class="hash">${d.evidence.sha256}</code></p>`}
    <h3>Raw record ${d.raw_from ? `(from ${d.raw_from})` : ''}</h3>
    ${d.raw_text ? html`<pre class="raw">${d.raw_text.length > 16384 ? d.raw_text.slice(0, 16384) + '…' : d.raw_text}</pre>` : html`<p class="muted">${d.raw_base64 ? `${d.raw_bytes} bytes, not UTF-8` : 'No raw bytes for this event.'}</p>`}
    ${(d.truncated || (d.raw_text || '').length > 16384) && html`<p><a href=${'/api/v1/events/' + e.row + '/raw'} download>Download all ${d.raw_bytes} bytes</a></p>`}
    <h3>Context</h3>
    <div class="ctx">${WINDOWS.map(([l, s]) => html`<button type="button" onClick=${() => context(s)}>${l}</button>`)}</div>
    <h3>Annotations</h3>
    <button type="button" class=${'star' + (n.starred ? ' on' : '')} aria-pressed=${!!n.starred} data-testid="detail-star"
      onClick=${() => annotate(e.row, n.starred ? 'unstar' : 'star')}>${n.starred ? '★ Starred' : '☆ Star'}</button>
    <div class="tags">${(n.tags || []).map((t) => html`<span class="note">${t} <button type="button" class="linkish" aria-label=${'remove tag ' + t} onClick=${() => annotate(e.row, 'untag', t)}>×</button></span>`)}</div>
    <form onSubmit=${(ev) => { ev.preventDefault(); if (tag.trim()) { annotate(e.row, 'tag', tag.trim()); setTag(''); } }}>
      <label for="tagin" class="sr-only">Tag</label><input id="tagin" value=${tag} onInput=${(x) => setTag(x.target.value)} placeholder="tag (e.g. webshell)" />
      <button type="submit">Tag</button></form>
    <ul class="comments" data-testid="comments">${(n.comments || []).map((c) => html`<li><span class="who">${c.user} · ${fmtTime(c.time, zone, 0)}</span><div>${c.value}</div></li>`)}</ul>
    <form onSubmit=${(ev) => { ev.preventDefault(); if (comment.trim()) { annotate(e.row, 'comment', comment); setComment(''); } }}>
      <label for="commentin" class="sr-only">Comment</label>
      <textarea id="commentin" rows="3" value=${comment} onInput=${(x) => setComment(x.target.value)} placeholder="comment"></textarea>
      <button type="submit">Comment</button></form>
    <p><a href=${'/event/' + e.row}>Permalink</a></p>
  </div>`;
}

function refString(r) {
  if (!r) return '';
  let s = `${r.evidence}:${r.path}`;
  if (r.line !== undefined) s += `:${r.line}`;
  else if (r.mft !== undefined) s += `#mft${r.mft}`;
  else if (r.inode !== undefined) s += `#inode${r.inode}`;
  if (r.offset !== undefined && r.line === undefined) s += `@${r.offset}`;
  return s;
}

const mount = document.createElement('div');
mount.hidden = true;
document.body.appendChild(mount);
render(html`<${App} />`, mount);
