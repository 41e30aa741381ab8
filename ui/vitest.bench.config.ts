import { defineConfig } from "vitest/config";

// The desktop benchmark (docs/benchmarks.md): measurements, not assertions; not in CI.
export default defineConfig({
  test: {
    include: [process.env.KUA_BENCH_FILE ?? "e2e/desktop.bench.ts"],
    testTimeout: 1_800_000,
    hookTimeout: 1_800_000,
    fileParallelism: false,
  },
});
