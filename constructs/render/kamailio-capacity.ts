import { CAPACITY_RETRY_AFTER_SECONDS } from "../capacity.js";
import { type RenderedFile, staticConfig } from "./common.js";

/** The capacity logic the front end, the edge and the provider's proxy include (constructs/render/kamailio/capacity.cfg). */
export const CAPACITY_FILE = "capacity.cfg";

/** The static capacity file, copied as it is. */
export function capacityFile(): RenderedFile {
  return { path: CAPACITY_FILE, content: staticConfig(`kamailio/${CAPACITY_FILE}`) };
}

/**
 * The defines capacity.cfg expects: the counted party's capacity, and what a caller over it hears,
 * e.g. `503 Voice mail at capacity: um.contoso.test takes 100 calls` with `Retry-After: 10`.
 */
export function capacityDefines(calls: number, reason: string): Record<string, string | number> {
  return { CAPACITY_CALLS: calls, CAPACITY_REASON: reason, CAPACITY_RETRY_AFTER: CAPACITY_RETRY_AFTER_SECONDS };
}
