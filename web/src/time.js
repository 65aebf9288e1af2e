// Display time formatting in any IANA zone, from the API's RFC 3339 UTC
// strings. The sub-second digits are kept from the string as written
// (nanoseconds), not rounded through Date.
const fmts = new Map();

function formatter(zone) {
  let f = fmts.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    fmts.set(zone, f);
  }
  return f;
}

export function validZone(zone) {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

// fmtTime renders "2026-03-01 10:00:00.123 +09:00" in zone.
export function fmtTime(iso, zone, digits = 3) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  const p = {};
  for (const x of formatter(zone).formatToParts(d)) p[x.type] = x.value;
  const m = /\.(\d+)/.exec(iso);
  const frac = digits > 0 ? '.' + ((m ? m[1] : '') + '000000000').slice(0, digits) : '';
  let off = (p.timeZoneName || '').replace('GMT', '');
  if (off === '') off = '+00:00';
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}${frac} ${off}`;
}
