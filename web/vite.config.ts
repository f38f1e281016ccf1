// The dashboard's build: static files in dist/ui, served by the node at /ui (server/ui-route.ts).
import { defineConfig } from "vite";
import preact from "@preact/preset-vite";
import { fileURLToPath } from "node:url";
import { browserBuildAliases } from "../sdk/browser-build";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/ui/",
  // The SDK's one Node-only module on the browser path (crypto/hash.ts) swapped for its twin.
  plugins: [browserBuildAliases(fileURLToPath(new URL("..", import.meta.url))), preact()],
  build: {
    outDir: fileURLToPath(new URL("../dist/ui", import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
  },
});
