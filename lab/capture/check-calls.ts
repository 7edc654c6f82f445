import { nodeOf } from "../../constructs/topology.js";
import type { CheckResult } from "../calls/checks.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { putFile } from "../runtime/put-file.js";

/**
 * Which calls each check placed, kept in the lab itself (in the front end's container) so that
 * `umlab trace --check <name>` finds them after `umlab test`, and they go with the lab at `down`.
 */
export interface CheckCalls {
  readonly check: string;
  readonly target: string;
  readonly result: CheckResult["result"];
  readonly callIds: readonly string[];
  /** when it was recorded (ISO 8601) */
  readonly at: string;
}

const FILE = "/tmp/umlab-check-calls.json";
/** Enough for many `umlab test` runs; the oldest are dropped first. */
const KEEP = 500;

export async function checkCallsOf(lab: StartedLocalLab): Promise<CheckCalls[]> {
  const r = await lab.exec("frontend", ["cat", FILE]);
  if (r.exitCode !== 0) return [];
  try {
    return JSON.parse(r.output) as CheckCalls[];
  } catch {
    return [];
  }
}

/** Adds the results that placed calls to the lab's record. */
export async function recordCheckCalls(lab: StartedLocalLab, results: readonly CheckResult[]): Promise<void> {
  const at = new Date().toISOString();
  const added = results
    .filter((r) => (r.callIds ?? []).length > 0)
    .map((r) => ({ check: r.check, target: r.target, result: r.result, callIds: r.callIds ?? [], at }));
  if (added.length === 0) return;
  const all = [...(await checkCallsOf(lab)), ...added].slice(-KEEP);
  await putFile(nodeOf(lab.topology, "frontend").container, FILE, Buffer.from(JSON.stringify(all)));
}

/**
 * The latest recorded check that `name` names: its check name ("no-answer deposit"), or its check
 * and target together ("no-answer deposit carol"); case does not matter.
 */
export function findCheck(recorded: readonly CheckCalls[], name: string): CheckCalls | undefined {
  const want = name.trim().toLowerCase();
  const exact = recorded.filter((r) => r.check.toLowerCase() === want);
  const loose = recorded.filter((r) => `${r.check} ${r.target}`.toLowerCase().includes(want));
  return (exact.length > 0 ? exact : loose).at(-1);
}
