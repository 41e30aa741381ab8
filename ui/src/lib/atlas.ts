// The body-map atlas, asked of the shell once and kept: it is the same for the whole
// session (built into the app).
import { ipc, type Atlas } from "./ipc";

let cached: Promise<Atlas> | null = null;

export function loadAtlas(): Promise<Atlas> {
  cached ??= ipc.bodyAtlas().catch((e: unknown) => {
    cached = null;
    throw e;
  });
  return cached;
}
