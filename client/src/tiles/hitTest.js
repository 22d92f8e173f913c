// Which decoded feature of a tile lies under a point? Used for picking: the click's lon/lat is
// turned into tile units and tested against the features the provider kept for that tile.
// Everything is in tile units (0..extent); tolerance is in the same units.

/** The features under (px, py), topmost (last drawn) first. */
export function featuresAt(features, px, py, tolerance) {
  const hits = [];
  for (let i = features.length - 1; i >= 0; i--) {
    const f = features[i];
    if (f.type === 3 && insidePolygon(f.rings, px, py)) hits.push(f);
    else if (f.type === 3 && nearLines(f.rings, px, py, tolerance, true)) hits.push(f);
    else if (f.type === 2 && nearLines(f.rings, px, py, tolerance, false)) hits.push(f);
    else if (f.type === 1 && nearPoints(f.rings, px, py, tolerance)) hits.push(f);
  }
  // Points and lines are small targets; they win over a polygon they lie in.
  return hits.sort((a, b) => rank(a) - rank(b));
}

const rank = (f) => ({ 1: 0, 2: 1, 3: 2 })[f.type] ?? 3;

/** Even-odd rule over all rings, so holes are respected without classifying rings. */
export function insidePolygon(rings, px, py) {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i];
      const b = ring[j];
      if (a.y > py !== b.y > py && px < ((b.x - a.x) * (py - a.y)) / (b.y - a.y) + a.x) inside = !inside;
    }
  }
  return inside;
}

function nearLines(lines, px, py, tol, closed) {
  const tol2 = tol * tol;
  for (const line of lines) {
    const n = line.length;
    for (let i = 0; i + 1 < n + (closed ? 1 : 0); i++) {
      if (segmentDistance2(px, py, line[i], line[(i + 1) % n]) <= tol2) return true;
    }
  }
  return false;
}

function nearPoints(groups, px, py, tol) {
  const tol2 = tol * tol;
  return groups.some((g) => g.some((p) => (p.x - px) ** 2 + (p.y - py) ** 2 <= tol2));
}

function segmentDistance2(px, py, a, b) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((px - a.x) * dx + (py - a.y) * dy) / len2;
  t = Math.max(0, Math.min(1, t));
  const x = a.x + t * dx - px;
  const y = a.y + t * dy - py;
  return x * x + y * y;
}
