import { defineConfig } from "vitest/config";

// End-to-end tests drive the real app window through tauri-driver; see e2e/README.md.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
