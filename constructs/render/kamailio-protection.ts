import type { FloodLimit } from "../flood-limit.js";
import { type RenderedFile, staticConfig } from "./common.js";

/** The SIP-layer protection both Kamailio nodes include (constructs/render/kamailio/...). */
export const ANTIFLOOD_FILE = "antiflood.cfg";
export const DIALOG_MARK_FILE = "dialog-mark.cfg";

/** The static files of the anti-flood limit and the dialog marks, copied as they are. */
export function sipProtectionFiles(): RenderedFile[] {
  return [ANTIFLOOD_FILE, DIALOG_MARK_FILE].map((path) => ({ path, content: staticConfig(`kamailio/${path}`) }));
}

/** The defines antiflood.cfg expects, from the node's flood limit in the model. */
export function floodDefines(limit: FloodLimit): Record<string, number> {
  return { FLOOD_REQUESTS: limit.requests, FLOOD_WINDOW_S: limit.windowSeconds, FLOOD_BAN_S: limit.banSeconds };
}

/** Rows of the htable floodexempt: the lab's own nodes, never counted by the anti-flood limit. */
export function floodExemptRows(addresses: readonly string[]): [string, string][] {
  return [...new Set(addresses)].map((ip): [string, string] => [ip, "1"]);
}
