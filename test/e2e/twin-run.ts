import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AddressPlan, type DeploymentMode, defaultLab, HOST_NUMBERS, topologyOf } from "../../constructs/index.js";
import { runChecks } from "../../lab/calls/checks.js";
import { realize, type StartedLocalLab } from "../../lab/runtime/local-lab.js";
import { tlsParties } from "../../nodes/files.js";
import { makeLabPki } from "../../nodes/pki.js";
import { CALL_CHECKS_PATH } from "../../stacks/call-checks.js";
import { Testing } from "../../stacks/cdktf.js";
import { parseCloudInit } from "../../stacks/cloud-init.js";
import { LabStack } from "../../stacks/lab-stack.js";
import { cloudConfigOf } from "../../stacks/rules/custom-data-fits.js";
import { twinRealization } from "../support/twin.js";
import { NO_ANSWER_SECONDS } from "./fixture.js";

/**
 * The twin run: what `cdktf deploy lab` would run, run here. Each mode's stack is synthesized, each
 * VM's cloud-init decoded, and the lab started from exactly those files and that address plan
 * (Docker networks with the VNets' subnets, containers at the VMs' private addresses, images
 * from the Dockerfiles cloud-init writes). Then the mode's call checks run against it.
 *
 * Each mode's twin runs in a file of its own, side by side with the other e2e files: its lab takes
 * the built-in address plan shifted by `shift` (fixed and well above what local labs pick), so the
 * Azure VNets and the Docker networks of the twin keep exactly the addresses the stack names.
 */
export function twinRunTests(mode: DeploymentMode, shift: number): void {
  describe(`twin run of the Azure ${mode} lab`, () => twinRun(mode, shift));
}

function twinRun(mode: DeploymentMode, shift: number): void {
  let lab: StartedLocalLab | undefined;
  let callChecks = "";
  const instance = `twin-${mode}-${process.pid}`;
  // The plan this twin runs at: `shift`, or, when another lab on the engine holds those subnets
  // ("Pool overlaps"), the next copy three further on (the twins use 40, 41 and 42 first).
  let plan = new AddressPlan().shifted(shift);
  const addressPlan = () => ({ corp: plan.corp.toString(), provider: plan.provider.toString(), dmz: plan.dmz.toString() });
  const model = () => defaultLab({ mode, noAnswerSeconds: NO_ANSWER_SECONDS, addressPlan: addressPlan() });
  const start = async (): Promise<StartedLocalLab> => {
    const model0 = model();
    const pki = makeLabPki(tlsParties(topologyOf(model0, { realization: "azure" })));
    const stack = new LabStack(Testing.app(), "lab", { lab: model0, pki });
    const synth = JSON.parse(Testing.synth(stack));
    const phonesVm = synth.resource.azurerm_linux_virtual_machine["phones-vm"];
    callChecks =
      parseCloudInit(cloudConfigOf(phonesVm.custom_data) ?? "")
        .files.get(CALL_CHECKS_PATH)
        ?.toString() ?? "";
    const realization = await twinRealization(synth, model(), { instance });
    return realize(realization, { log: (l) => process.stderr.write(`[${instance}] ${l}\n`) });
  };
  beforeAll(async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        lab = await start();
        return;
      } catch (err) {
        if (attempt >= 4 || !/Pool overlaps/i.test(String((err as Error).message))) throw err;
        plan = new AddressPlan().shifted(shift + 3 * (attempt + 1));
      }
    }
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("places the nodes at the VMs' private addresses, the edge on the DMZ", () => {
    const t = lab?.topology;
    if (mode === "on-premises") {
      expect(t?.networks.map((n) => `${n.role} ${n.subnet}`)).toEqual([`corp ${addressPlan().corp}`]);
      expect(t?.nodes.some((n) => n.role === "edge")).toBe(false);
    } else {
      expect(t?.networks.map((n) => `${n.role} ${n.subnet}`)).toEqual([
        `corp ${addressPlan().corp}`,
        `dmz ${addressPlan().dmz}`,
        `provider ${addressPlan().provider}`,
      ]);
      expect(t?.nodes.find((n) => n.name === "edge")?.addresses).toEqual({
        corp: plan.corp.host(HOST_NUMBERS.edge),
        dmz: plan.dmz.host(HOST_NUMBERS.edge),
      });
    }
  });

  it("the test phone VM's call-check script, as cloud-init writes it, passes against the twin", () => {
    expect(callChecks).toContain("#!/bin/bash");
    const r = spawnSync("bash", ["-c", callChecks], {
      encoding: "utf8",
      env: { ...process.env, UMLAB_CONTAINER_PREFIX: `umlab-${instance}-` },
      timeout: 300_000,
    });
    expect(r.stdout, r.stderr).toMatch(/^(\d+) passed, 0 failed$/m);
    expect(r.status).toBe(0);
  }, 300_000);

  it(`passes the ${mode} mode's call checks`, async () => {
    if (!lab) throw new Error("the twin did not start");
    const results = await runChecks(lab, { noAnswerSeconds: NO_ANSWER_SECONDS });
    const failed = results.filter((r) => r.result !== "Success").map((r) => `${r.check} ${r.target}: ${r.diagnosis}`);
    expect(failed).toEqual([]);
    expect(results.length).toBeGreaterThan(10);
  }, 600_000);
}
