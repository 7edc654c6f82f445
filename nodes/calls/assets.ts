import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RenderedFile } from "../../constructs/render/index.js";
import { TEST_TONE_HZ, tonePcap } from "./media.js";

const SCENARIOS_DIR = join(dirname(fileURLToPath(import.meta.url)), "scenarios");

/** Seconds of tone in the pcap; a call plays it for as long as its `-d` pause, at most this. */
export const TONE_SECONDS = 20;

/** SIPp scenarios, installed under /etc/umlab/sipp in the phones and the SIP servers (probes). */
export function scenarioFiles(): RenderedFile[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((f) => f.endsWith(".xml"))
    .map((f) => ({ path: `sipp/${f}`, content: readFileSync(join(SCENARIOS_DIR, f), "utf8") }));
}

let phoneFilesOnce: readonly RenderedFile[] | undefined;

/**
 * What a phone container carries: the scenarios and the caller's test tone as RTP. Made once per
 * process and shared (the same for every phone): a 200-user lab asked 200 times, for ~1.5 s.
 */
export function phoneFiles(): RenderedFile[] {
  phoneFilesOnce ??= [...scenarioFiles(), { path: "media/tone.pcap", content: tonePcap(TEST_TONE_HZ, TONE_SECONDS) }];
  return [...phoneFilesOnce];
}
