// Hash routes keep every screen reachable from a static file server: #/ and #/race/<id>.
export function parseRoute(hash) {
  const m = /^#\/race\/([^/?#]+)/.exec(hash || '');
  if (m) {
    try {
      return { name: 'race', raceId: decodeURIComponent(m[1]) };
    } catch {
      return { name: 'start' };
    }
  }
  return { name: 'start' };
}

export function raceHref(raceId) {
  return `#/race/${encodeURIComponent(raceId)}`;
}
