import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultLab } from "../../constructs/index.js";
import { LOAD_FLOOD_LIMIT, startLoadLab } from "../../lab/bench/load.js";
import { frontEndRatio, type SignallingRow, signallingTable } from "../../lab/bench/load-plan.js";
import { runSignalling } from "../../lab/bench/load-signalling.js";
import type { StartedLocalLab } from "../../lab/runtime/local-lab.js";

/**
 * The load benchmark's signalling step, short and slow (npm run bench -- --load runs it at full
 * rates): real SIPp calls straight between two phones and through the front end (digest auth, the
 * callee registered) all complete, and the ratio comes out of SIPp's own counts. No timing is asserted.
 */
describe("load benchmark (issue 10): a low-rate signalling step through a real front end", () => {
  let lab: StartedLocalLab | undefined;
  let rows: SignallingRow[] = [];

  beforeAll(async () => {
    const instance = `e2e-load-${process.pid}`;
    const model = defaultLab({ mode: "on-premises", noAnswerSeconds: 8, frontEndFloodLimit: LOAD_FLOOD_LIMIT });
    lab = await startLoadLab(model, instance, (l) => process.stderr.write(`[${instance}] ${l}\n`));
    rows = await runSignalling(lab, [20], 2, (l) => process.stderr.write(`[load] ${l}\n`));
    process.stderr.write(`[load] ${signallingTable(rows).join("\n[load] ")}\n`);
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it("completes every call of the step both ways, and computes the front end's ratio from SIPp's counts", () => {
    const [row] = rows;
    expect(row?.calls).toBe(40);
    expect(row?.direct).toMatchObject({ successful: 40, failed: 0 });
    expect(row?.frontEnd).toMatchObject({ successful: 40, failed: 0 });
    expect(frontEndRatio(row as SignallingRow)).toBe(1);
  });
});
