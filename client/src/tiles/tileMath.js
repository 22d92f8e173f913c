// Web Mercator tile arithmetic (the XYZ scheme GeoTwin's /tiles use: y = 0 at the north edge),
// shared by the imagery provider (which tile am I drawing) and picking (where in a tile is a click).

const MAX_LAT = 85.0511287798066; // Web Mercator's square edge

/** Fractional tile coordinates of lon/lat (degrees) at zoom z: { x, y } with 0..2^z across. */
export function lonLatToTile(lon, lat, z) {
  const n = 2 ** z;
  const clamped = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  const phi = (clamped * Math.PI) / 180;
  return {
    x: ((lon + 180) / 360) * n,
    y: ((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n,
  };
}

/** West/south/east/north (degrees) of tile z/x/y. */
export function tileBounds(z, x, y) {
  const n = 2 ** z;
  const lat = (ty) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * ty) / n))) * 180) / Math.PI;
  return { west: (x / n) * 360 - 180, east: ((x + 1) / n) * 360 - 180, north: lat(y), south: lat(y + 1) };
}

/** The tile containing lon/lat at zoom z, and the point in that tile's own units (0..extent). */
export function locateInTile(lon, lat, z, extent = 4096) {
  const f = lonLatToTile(lon, lat, z);
  const x = Math.floor(f.x);
  const y = Math.floor(f.y);
  return { z, x, y, px: (f.x - x) * extent, py: (f.y - y) * extent };
}
