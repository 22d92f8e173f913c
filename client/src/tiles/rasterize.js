// Draws the decoded features of one vector tile onto a canvas, in the layer's style:
// polygons filled then outlined, lines stroked, points as small discs (fill colour, outlined in the
// stroke colour) on a white halo so they stay visible on any base map. Coordinates are in tile units (0..extent), scaled to the canvas.

const DEFAULT_STYLE = { stroke: "#3388ff", fill: "#3388ff33", width: 1.5, radius: 4 };

/** The layer's style with defaults for what the catalog left out (a null fill means "no fill"). */
export function withDefaults(style) {
  const s = { ...DEFAULT_STYLE };
  for (const [k, v] of Object.entries(style ?? {})) if (v !== undefined && (v !== null || k === "fill")) s[k] = v;
  if (!(s.width > 0)) s.width = DEFAULT_STYLE.width;
  if (!(s.radius > 0)) s.radius = DEFAULT_STYLE.radius;
  return s;
}

/**
 * Draw features (from decodeTile) on ctx, a size x size canvas. Returns the number of features
 * drawn (what the tests and the debug handle count).
 */
export function drawFeatures(ctx, features, style, size) {
  const s = withDefaults(style);
  let drawn = 0;
  ctx.lineJoin = "round";
  ctx.lineCap = "round";
  ctx.lineWidth = s.width;
  ctx.strokeStyle = s.stroke;
  ctx.fillStyle = s.fill ?? "transparent";

  for (const f of features) {
    const k = size / f.extent;
    if (f.type === 3) {
      // One path for all rings: even-odd filling turns inner rings into holes without having to
      // classify them.
      const path = new Path2D();
      for (const ring of f.rings) {
        ring.forEach((p, i) => (i === 0 ? path.moveTo(p.x * k, p.y * k) : path.lineTo(p.x * k, p.y * k)));
        path.closePath();
      }
      if (s.fill) ctx.fill(path, "evenodd");
      ctx.stroke(path);
    } else if (f.type === 2) {
      ctx.beginPath();
      for (const line of f.rings) {
        line.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x * k, p.y * k) : ctx.lineTo(p.x * k, p.y * k)));
      }
      ctx.stroke();
    } else if (f.type === 1) {
      for (const group of f.rings) {
        for (const p of group) drawPoint(ctx, p.x * k, p.y * k, s, f.props?.count);
      }
    } else {
      continue;
    }
    drawn++;
  }
  return drawn;
}

/**
 * A point; a cluster of count > 1 (incidents below z14, one a 16 px cell) is a larger disc, growing with the log of
 * its count up to 10 px so that neighbouring clusters barely overlap, with the count written in it.
 */
function drawPoint(ctx, x, y, s, count) {
  const cluster = count > 1;
  const r = cluster ? Math.min(10, s.radius + 1.2 * Math.log2(count)) : s.radius;
  ctx.beginPath();
  ctx.arc(x, y, r + 1.5, 0, Math.PI * 2);
  ctx.fillStyle = "#ffffff";
  ctx.fill();
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.fillStyle = s.fill ?? s.stroke;
  ctx.fill();
  ctx.stroke();
  if (cluster) {
    ctx.fillStyle = "#ffffff";
    ctx.font = `bold ${Math.round(r)}px sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(count > 999 ? "999+" : String(count), x, y);
  }
  ctx.fillStyle = s.fill ?? "transparent";
}
