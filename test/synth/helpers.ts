import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { type DeploymentMode, defaultLab } from "../../constructs/index.js";
import type { TlsMaterial } from "../../nodes/pki.js";
import { type App, Testing } from "../../stacks/cdktf.js";
import { LabStack } from "../../stacks/lab-stack.js";
import type { SynthJson } from "../../stacks/rules/index.js";

/** Stand-in TLS material: synth tests need no real keys, and snapshots must never hold one. */
export const FAKE_PKI: Record<string, TlsMaterial> = {
  edge: { ca: "TEST CA\n", cert: "TEST EDGE CERT\n", key: "TEST EDGE KEY\n" },
  "hosted-um": { ca: "TEST CA\n", cert: "TEST HOSTED CERT\n", key: "TEST HOSTED KEY\n" },
};

export type Json = SynthJson & {
  // biome-ignore lint/suspicious/noExplicitAny: Terraform JSON
  resource: Record<string, Record<string, any>>;
  output?: Record<string, unknown>;
  variable?: Record<string, unknown>;
};

// Testing.app() makes a fresh temporary outdir per call and never removes it (cdktf 0.21): one
// folder per test file instead, removed after it. Synth tests write nothing there.
const OUTDIR = mkdtempSync(join(tmpdir(), "umlab-synth-test-"));
afterAll(() => rmSync(OUTDIR, { recursive: true, force: true }));

/** A cdktf app for a test, whose outdir does not outlive the test process. */
export function testApp(): App {
  return Testing.app({ outdir: OUTDIR });
}

export function synthMode(mode: DeploymentMode): { json: Json; stack: LabStack } {
  const app = testApp();
  const stack = new LabStack(app, "lab", { lab: defaultLab({ mode }), pki: FAKE_PKI });
  return { json: JSON.parse(Testing.synth(stack)) as Json, stack };
}

/** The resources of one type (empty when there are none). */
// biome-ignore lint/suspicious/noExplicitAny: Terraform JSON
export function res(json: Json, type: string): { [name: string]: any } {
  return json.resource[type] ?? {};
}
