import { UmlabError } from "../../constructs/errors.js";
import type { CheckResult } from "../calls/checks.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { type Ladder, ladderOf, readCapture, renderLadderDetails, renderLadderSvg } from "../trace/index.js";
import type { CallLadder } from "./html.js";

/** Where a ladder stopped: its last message, with its time from the first. */
export function lastMessageOf(ladder: Ladder): string | undefined {
  const m = ladder.messages.at(-1);
  if (!m) return undefined;
  const at = ((m.at - ladder.startedAt) / 1000).toFixed(3);
  return `+${at} s ${m.firstLine} (${m.from} -> ${m.to})${m.status === undefined ? ", never answered" : ""}`;
}

/**
 * The ladder of each check's calls (its Call-IDs, with the legs they caused), from the lab's
 * capture, drawn by lab/trace. One capture read serves every check. When the lab has no capture,
 * `missing` says why and the report goes without ladders.
 */
export async function laddersOf(
  lab: StartedLocalLab,
  results: readonly CheckResult[],
): Promise<{ ladders: Map<CheckResult, CallLadder & { ladder: Ladder }>; missing?: string }> {
  const ladders = new Map<CheckResult, CallLadder & { ladder: Ladder }>();
  let records: Awaited<ReturnType<typeof readCapture>>;
  try {
    records = await readCapture(lab.topology);
  } catch (err) {
    if (!UmlabError.isUmlabError(err)) throw err;
    return { ladders, missing: `No ladders: ${err.message}` };
  }
  results.forEach((r, i) => {
    if (!r.callIds?.length) return;
    let ladder: Ladder;
    try {
      ladder = ladderOf(records, lab.topology, { callIds: r.callIds });
    } catch (err) {
      if (UmlabError.isUmlabError(err)) return; // none of its calls is in the capture
      throw err;
    }
    const prefix = `ladder-${i + 1}`;
    const last = lastMessageOf(ladder);
    ladders.set(r, {
      ladder,
      svg: `${renderLadderSvg(ladder, { idPrefix: prefix })}<details class="messages"><summary>${ladder.messages.length} messages, key headers</summary>${renderLadderDetails(ladder, { idPrefix: prefix })}</details>`,
      parties: ladder.parties.map((p) => p.id),
      ...(last ? { lastMessage: last } : {}),
      lastMessageId: `${prefix}-m${ladder.messages.length - 1}`,
    });
  });
  return { ladders };
}
