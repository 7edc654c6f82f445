import { appendFileSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";
import { type DeploymentMode, defaultLab, type VerificationLevel } from "../../constructs/index.js";
import { LocalLab, type StartedLocalLab } from "../../lab/runtime/local-lab.js";
import type { LabCa } from "../../nodes/pki.js";

/** The no-answer time of the labs under test: short, so the suite stays quick. */
export const NO_ANSWER_SECONDS = 3;

export interface LabFixtureOptions {
  /** The provider's verification level. @default "UseSourceVerification" */
  readonly verificationLevel?: VerificationLevel;
  /** The lab CA, kept by the test to issue more certificates from it. @default a new one */
  readonly ca?: LabCa;
  /** Names the instance instead of the mode (e2e-<tag>-<pid>), for a file with several labs. @default the mode */
  readonly tag?: string;
}

/**
 * Starts the built-in lab of `mode` for one test file and removes it afterwards. Without a
 * Docker engine, beforeAll fails with the message saying what to start: no test is skipped.
 */
export function useLab(mode: DeploymentMode, options: LabFixtureOptions = {}): () => StartedLocalLab {
  let lab: StartedLocalLab | undefined;
  beforeAll(async () => {
    const instance = `e2e-${options.tag ?? mode}-${process.pid}`;
    const model = defaultLab({
      mode,
      noAnswerSeconds: NO_ANSWER_SECONDS,
      ...(options.verificationLevel && { verificationLevel: options.verificationLevel }),
    });
    lab = await new LocalLab(model, {
      instance,
      log: (l) => process.stderr.write(`[${instance}] ${l}\n`),
      ...(options.ca && { ca: options.ca }),
    }).start();
  });
  afterAll(async () => {
    if (lab && process.env.UMLAB_SUITE_STATS) await recordCalls(lab, mode, process.env.UMLAB_SUITE_STATS);
    await lab?.stop();
  });
  return () => {
    if (!lab) throw new Error("the lab did not start (see the beforeAll error above)");
    return lab;
  };
}

/**
 * For `npm run bench -- --suite`: how many calls the file placed, read as the INVITEs the front end
 * received (phones' calls, the auto attendant's transfers), appended to `file` as one JSON line.
 */
async function recordCalls(lab: StartedLocalLab, mode: DeploymentMode, file: string): Promise<void> {
  const r = await lab.exec("frontend", ["kamcmd", "stats.get_statistics", "rcv_requests_invite"]).catch(() => undefined);
  const invites = Number(/rcv_requests_invite = (\d+)/.exec(r?.output ?? "")?.[1] ?? Number.NaN);
  appendFileSync(file, `${JSON.stringify({ instance: lab.instance, mode, invites })}\n`);
}
