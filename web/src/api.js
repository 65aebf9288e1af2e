// The JSON API client: every call is same-origin, JSON in and out.
export async function api(path, params) {
  const qs = params ? '?' + params.toString() : '';
  const r = await fetch('/api/v1/' + path + qs, { headers: { Accept: 'application/json' } });
  const body = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

export async function post(path, data) {
  const r = await fetch('/api/v1/' + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(data),
  });
  const body = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

// colour gives each host or source a stable hue.
export function colour(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return `hsl(${(h >>> 0) % 360} 60% 38%)`;
}
