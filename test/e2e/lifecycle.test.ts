import { describe, expect, it } from "vitest";
import { defaultLab } from "../../constructs/index.js";
import { docker, LABEL } from "../../lab/runtime/docker.js";
import { findInstances, LocalLab } from "../../lab/runtime/local-lab.js";

async function leftovers(instance: string): Promise<number> {
  const d = (await docker()).container.dockerode;
  const filters = { label: [`${LABEL.instance}=${instance}`] };
  return (await d.listContainers({ all: true, filters })).length + (await d.listNetworks({ filters })).length;
}

describe("lab lifecycle", () => {
  it("a start that fails removes every container and network it created", async () => {
    const instance = `e2e-fail-${process.pid}`;
    // Zero seconds to become healthy: the start must fail after creating networks and containers.
    const start = new LocalLab(defaultLab({ mode: "mixed" }), { instance, healthTimeoutSeconds: 0 }).start();
    await expect(start).rejects.toThrow(/was not healthy after 0 s/);
    expect(await leftovers(instance)).toBe(0);
  });

  it("two labs coexist on separate networks, and down removes each", async () => {
    const a = await new LocalLab(defaultLab({ mode: "on-premises" }), { instance: `e2e-a-${process.pid}` }).start();
    try {
      const b = await new LocalLab(defaultLab({ mode: "on-premises" }), { instance: `e2e-b-${process.pid}` }).start();
      try {
        expect(a.topology.networks[0]?.subnet).not.toBe(b.topology.networks[0]?.subnet);
        expect(await findInstances()).toEqual(expect.arrayContaining([a.instance, b.instance]));
        expect(Object.values(await b.states())).toEqual(expect.arrayContaining(["running"]));
      } finally {
        await b.stop();
      }
      expect(await leftovers(b.instance)).toBe(0);
      expect(Object.values(await a.states()).every((s) => s === "running")).toBe(true);
    } finally {
      await a.stop();
    }
    expect(await leftovers(a.instance)).toBe(0);
  });

  it("refuses to start a second lab under a name in use", async () => {
    const a = await new LocalLab(defaultLab({ mode: "on-premises" }), { instance: `e2e-dup-${process.pid}` }).start();
    try {
      await expect(new LocalLab(defaultLab({ mode: "on-premises" }), { instance: a.instance }).start()).rejects.toThrow(/already exists/);
      expect(Object.values(await a.states()).every((s) => s === "running")).toBe(true);
    } finally {
      await a.stop();
    }
  });
});
