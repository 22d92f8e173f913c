// A camera's field of view on the ground, pure: the wedge from its heading, horizontal FOV and range (a full
// circle for a PTZ camera, which can turn to see its whole reach), and the 3D frustum's far corners at its mount
// height and tilt. Metres are turned into degrees on a local sphere: at a camera's range (≤ 5 km) the error is
// far below a pixel.

const EARTH_M = 6371008.8;
const DEG = Math.PI / 180;

/** Whether the camera sweeps its whole reach: PTZ, no heading, or a 360° lens (the server's rule, CameraView.IsFullCircle). */
export const isFullCircle = (c) => c.kind === "ptz" || c.headingDeg === null || c.headingDeg === undefined || Number(c.fovDeg) >= 360;

/** The point `metres` away from (lon, lat) along compass `bearingDeg` (0 = north, clockwise). */
export function offset(lon, lat, bearingDeg, metres) {
  const d = metres / EARTH_M;
  const east = Math.sin(bearingDeg * DEG) * d;
  const north = Math.cos(bearingDeg * DEG) * d;
  return [lon + east / DEG / Math.cos(lat * DEG), lat + north / DEG];
}

/** The wedge's outline as [[lon, lat], ...] (closed): camera, arc from heading − FOV/2 to heading + FOV/2, camera. */
export function wedge(c, step = 5) {
  const range = Number(c.rangeM);
  if (isFullCircle(c)) {
    const ring = [];
    for (let a = 0; a < 360; a += step) ring.push(offset(c.lon, c.lat, a, range));
    ring.push(ring[0]);
    return ring;
  }
  const half = Number(c.fovDeg) / 2;
  const n = Math.max(2, Math.ceil(Number(c.fovDeg) / step));
  const ring = [[c.lon, c.lat]];
  for (let i = 0; i <= n; i++) ring.push(offset(c.lon, c.lat, c.headingDeg - half + (i * 2 * half) / n, range));
  ring.push([c.lon, c.lat]);
  return ring;
}

/**
 * The frustum of a fixed camera in 3D: its apex at mount height and the four far corners, [lon, lat, height]. The
 * optical axis points `tiltDeg` below the horizon (negative = down); the vertical FOV is taken as 9/16 of the
 * horizontal one (a 16:9 sensor); rays reach `rangeM` along the ground, and a ray that would go below ground
 * stops on it.
 */
export function frustum(c, tiltDeg = -15) {
  const h = Number(c.mountHeightM);
  const half = Number(c.fovDeg) / 2;
  const vHalf = (Number(c.fovDeg) * 9) / 16 / 2;
  const apex = [c.lon, c.lat, h];
  const corners = [];
  for (const [dh, dv] of [[-half, vHalf], [half, vHalf], [half, -vHalf], [-half, -vHalf]]) {
    const pitch = (tiltDeg + dv) * DEG; // below the horizon when negative
    let along = Number(c.rangeM);
    let z = h + Math.tan(pitch) * along;
    if (z < 0) {
      along = h / Math.tan(-pitch);
      z = 0;
    }
    const [x, y] = offset(c.lon, c.lat, c.headingDeg + dh, along);
    corners.push([x, y, z]);
  }
  return { apex, corners };
}
