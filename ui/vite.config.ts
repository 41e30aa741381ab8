import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The UI is served from the app bundle (tauri://localhost): relative asset paths, no
// dev-server features in the build, no source maps that would ship source text.
export default defineConfig({
  plugins: [svelte()],
  base: "./",
  clearScreen: false,
  build: {
    target: "safari15",
    sourcemap: false,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
  // pdf.js's worker (lib/pdfview.ts) is an ES module, started as a module worker.
  worker: {
    format: "es",
  },
  // The body-map outlines live with the other shared assets (the reports draw the same
  // files); the page bundles them, and the test runner must be allowed to read them.
  server: {
    fs: { allow: [".", "../assets/body"] },
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
});
