// Vite build for the GeoTwin client, modelled on CesiumGS/cesium-vite-example.
// Output goes straight into the server's static root (generated, not committed):
//   ../server/GeoTwin.Server/wwwroot/index.html
//   ../server/GeoTwin.Server/wwwroot/assets/...          (our bundle + cesium's JS)
//   ../server/GeoTwin.Server/wwwroot/cesium/{Workers,ThirdParty,Assets,Widgets}
// Everything CesiumJS loads at run time comes from /cesium/ on the same server: no CDN, no ion.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { viteStaticCopy } from "vite-plugin-static-copy";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

const cesiumSource = "node_modules/cesium/Build/Cesium";
// Folder (and URL path) for the static files CesiumJS fetches itself (workers, textures, wasm).
const cesiumBaseUrl = "cesium";

export default defineConfig({
  root: here("./"),
  base: "/",
  define: {
    // CesiumJS reads this global to find Workers/Assets/... ; keep the trailing slash.
    CESIUM_BASE_URL: JSON.stringify(`/${cesiumBaseUrl}/`),
  },
  build: {
    outDir: here("../server/GeoTwin.Server/wwwroot"),
    emptyOutDir: true,
    // cesium alone is several MB of JS; the default 500 kB warning is just noise here.
    chunkSizeWarningLimit: 16000,
    // Never inline small assets as data: URLs into CSS/JS that a strict CSP could block later.
    assetsInlineLimit: 0,
  },
  plugins: [
    // Cesium bundles Knockout, which finds the global object with (0,eval)("this") as the module loads. The
    // server's CSP has no 'unsafe-eval', so that line threw and the viewer never started: a black page on every
    // deep link (/qr/{code}, ...), the routes that carry the CSP. globalThis is the same object, without eval.
    {
      name: "geotwin-no-eval",
      transform(code, id) {
        if (!/[\\/]node_modules[\\/](cesium|@cesium)[\\/]/.test(id) || !code.includes('(0,eval)("this")')) return null;
        return { code: code.replaceAll('(0,eval)("this")', "globalThis"), map: null };
      },
    },
    viteStaticCopy({
      targets: [
        { src: `${cesiumSource}/ThirdParty`, dest: cesiumBaseUrl },
        { src: `${cesiumSource}/Workers`, dest: cesiumBaseUrl },
        { src: `${cesiumSource}/Assets`, dest: cesiumBaseUrl },
        { src: `${cesiumSource}/Widgets`, dest: cesiumBaseUrl },
      ],
    }),
  ],
  server: {
    // The shared codes (src/vocabulary.js) are imported from the server's one file, outside this folder.
    fs: { allow: [here("./"), here("../server/GeoTwin.Domain/vocabulary.json")] },
    // `npm run dev` against a locally running GeoTwin server.
    proxy: {
      "/api": "http://127.0.0.1:8080",
      "/readyz": "http://127.0.0.1:8080",
    },
  },
});
