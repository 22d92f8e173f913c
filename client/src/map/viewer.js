// The Cesium viewer, strictly offline: no Cesium ion, no online imagery, no online terrain.
// Base imagery is the Natural Earth II set shipped inside CesiumJS and served by GeoTwin at
// /cesium/Assets/Textures/NaturalEarthII; terrain is the plain WGS84 ellipsoid.
import {
  BoundingSphere,
  Cartesian2,
  Cartesian3,
  Cartographic,
  Color,
  Credit,
  CreditDisplay,
  EllipsoidTerrainProvider,
  ImageryLayer,
  Rectangle,
  Math as CesiumMath,
  TileMapServiceImageryProvider,
  Viewer,
  buildModuleUrl,
} from "cesium";
import "cesium/Build/Cesium/Widgets/widgets.css";

// Cesium's default credit is the "Cesium ion" logo; GeoTwin does not use ion, so credit the
// library by name instead (plain text, nothing fetched).
CreditDisplay.cesiumCredit = new Credit("CesiumJS", true);

/**
 * Create the viewer in container. creditContainer receives Cesium's attribution line (kept visible).
 * onError(source, err) is told about base-layer and render-loop failures.
 * Throws if WebGL cannot start; the caller shows that on screen.
 */
export function createViewer(container, { creditContainer, onError = () => {} } = {}) {
  const baseLayer = ImageryLayer.fromProviderAsync(
    TileMapServiceImageryProvider.fromUrl(buildModuleUrl("Assets/Textures/NaturalEarthII"), {
      credit: new Credit("Natural Earth II", true),
    }),
  );
  baseLayer.errorEvent.addEventListener((err) => onError("baseLayer", err));

  const viewer = new Viewer(container, {
    baseLayer,
    terrainProvider: new EllipsoidTerrainProvider(),
    baseLayerPicker: false,
    geocoder: false,
    // Cesium's toolbar widgets (scene-mode picker, home button, selection indicator) are Knockout views whose
    // data-bind strings Knockout compiles with new Function: the CSP (no 'unsafe-eval') forbids that, and the
    // viewer failed to start on every page that carried the CSP (#19). The record panel and highlight show the
    // selection; the jurisdiction view is where the page flies at start.
    sceneModePicker: false,
    homeButton: false,
    timeline: false,
    animation: false,
    infoBox: false,
    selectionIndicator: false,
    navigationHelpButton: false,
    fullscreenButton: false,
    creditContainer,
  });
  viewer.scene.renderError.addEventListener((_scene, err) => onError("render", err));
  return viewer;
}

/** A [west, south, east, north] array in degrees, or null if bbox is not one. */
export function toRectangle(bbox) {
  if (!Array.isArray(bbox) || bbox.length !== 4) return null;
  const [w, s, e, n] = bbox.map(Number);
  if (![w, s, e, n].every(Number.isFinite)) return null;
  if (s > n || s < -90 || n > 90 || w < -180 || e > 180) return null;
  return Rectangle.fromDegrees(w, s, e, n);
}

const homeViews = new WeakMap();
const homeHooked = new WeakSet();

/** The rectangle grown by `margin` of its size on every side (so its edges stay in view). */
function padded(rect, margin) {
  const dx = rect.width * margin;
  const dy = rect.height * margin;
  return new Rectangle(
    Math.max(rect.west - dx, -Math.PI),
    Math.max(rect.south - dy, -Math.PI / 2),
    Math.min(rect.east + dx, Math.PI),
    Math.min(rect.north + dy, Math.PI / 2),
  );
}

/**
 * Outline the jurisdiction on the ground (its real boundary when the server sends `outline`, rings of
 * [lon, lat]; the bbox otherwise), fly the camera to it with a small margin and make the home button
 * return there. Resolves to true when the flight ends (false if bbox is unusable or the flight
 * is cancelled).
 */
export function flyToBbox(viewer, bbox, { duration = 2, margin = 0.15, outline = null } = {}) {
  const rect = toRectangle(bbox);
  if (!rect) return Promise.resolve(false);
  const destination = padded(rect, margin);

  viewer.entities.removeById("jurisdiction-bbox");
  for (let i = 0; viewer.entities.removeById(`jurisdiction-outline-${i}`); i++);
  const [w, s, e, n] = bbox.map(Number);
  const rings = Array.isArray(outline) && outline.length ? outline : null;
  (rings ?? [[[w, s], [e, s], [e, n], [w, n], [w, s]]]).forEach((ring, i) =>
    viewer.entities.add({
      id: rings ? `jurisdiction-outline-${i}` : "jurisdiction-bbox",
      polyline: {
        positions: Cartesian3.fromDegreesArray(ring.flat()),
        width: 3,
        material: Color.GOLD.withAlpha(0.9),
        clampToGround: true,
      },
    }),
  );

  homeViews.set(viewer, destination);
  if (!homeHooked.has(viewer) && viewer.homeButton) {
    homeHooked.add(viewer);
    viewer.homeButton.viewModel.command.beforeExecute.addEventListener((e) => {
      e.cancel = true;
      viewer.camera.flyTo({ destination: homeViews.get(viewer) });
    });
  }

  return new Promise((resolve) => {
    viewer.camera.flyTo({
      destination,
      duration,
      complete: () => resolve(true),
      cancel: () => resolve(false),
    });
  });
}

/**
 * Fly to lon/lat and look straight down on it from height metres. Resolves to true when the
 * flight ends (false if cancelled, e.g. by the user grabbing the map).
 */
export function flyToPoint(viewer, lon, lat, { height = 600, duration = 1.5 } = {}) {
  return new Promise((resolve) => {
    viewer.camera.flyTo({
      destination: Cartesian3.fromDegrees(lon, lat, height),
      orientation: { heading: 0, pitch: -CesiumMath.PI_OVER_TWO, roll: 0 },
      duration,
      complete: () => resolve(true),
      cancel: () => resolve(false),
    });
  });
}

/**
 * The ground under a window position (CSS pixels from the canvas' top left): { lon, lat,
 * metresPerPixel, zoom }, or null when the position is off the globe (sky). zoom is the Web
 * Mercator zoom whose 256 px tiles match the screen there, i.e. the zoom the map shows.
 */
export function groundAt(viewer, position) {
  const { scene, camera } = viewer;
  const cartesian = camera.pickEllipsoid(new Cartesian2(position.x, position.y), scene.globe.ellipsoid);
  if (!cartesian) return null;
  const carto = Cartographic.fromCartesian(cartesian);
  const pixel = camera.getPixelSize(
    new BoundingSphere(cartesian, 0),
    scene.drawingBufferWidth,
    scene.drawingBufferHeight,
  );
  // getPixelSize is per drawing-buffer pixel; a CSS pixel is pixelRatio of them.
  const metresPerPixel = pixel * (scene.pixelRatio || 1);
  const lat = CesiumMath.toDegrees(carto.latitude);
  const zoom = Math.log2((156543.03392 * Math.cos(carto.latitude)) / metresPerPixel);
  return { lon: CesiumMath.toDegrees(carto.longitude), lat, metresPerPixel, zoom };
}

/** groundAt() for the middle of the map, or null when the middle shows sky. */
export function groundAtCentre(viewer) {
  const canvas = viewer.scene.canvas;
  return groundAt(viewer, { x: canvas.clientWidth / 2, y: canvas.clientHeight / 2 });
}
