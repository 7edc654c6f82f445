import { afterAll, beforeAll } from "vitest";
import { type DeploymentMode, defaultLab } from "../../constructs/index.js";
import { LocalLab, type StartedLocalLab } from "../../lab/runtime/local-lab.js";

/** The no-answer time of the labs under test: short, so the suite stays quick. */
export const NO_ANSWER_SECONDS = 3;

/**
 * Starts the built-in lab of `mode` for one test file and removes it afterwards. Without a
 * Docker engine, beforeAll fails with the message saying what to start: no test is skipped.
 */
export function useLab(mode: DeploymentMode): () => StartedLocalLab {
  let lab: StartedLocalLab | undefined;
  beforeAll(async () => {
    const instance = `e2e-${mode}-${process.pid}`;
    lab = await new LocalLab(defaultLab({ mode, noAnswerSeconds: NO_ANSWER_SECONDS }), {
      instance,
      log: (l) => process.stderr.write(`[${instance}] ${l}\n`),
    }).start();
  });
  afterAll(async () => {
    await lab?.stop();
  });
  return () => {
    if (!lab) throw new Error("the lab did not start (see the beforeAll error above)");
    return lab;
  };
}
