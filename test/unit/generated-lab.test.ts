import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { topologyOf } from "../../constructs/index.js";
import { generateLabFile } from "../../nodes/generated-lab.js";
import { loadLab } from "../../nodes/lab-file.js";

const dir = join(".umlab", `generated-lab-test-${process.pid}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a generated lab file where `umlab up --config` would read it, and loads it the same way. */
async function load(name: string, text: string) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.mts`);
  writeFileSync(file, text);
  return loadLab(undefined, file);
}

describe("generated lab file (bench --scale)", () => {
  const options = { users: 200, tenants: 2, mode: "mixed", constructsImport: "../../constructs/index.js" } as const;

  it("is a valid lab file: 200 users, half on premises, half hosted over two tenants, each phone at an address of its own", async () => {
    const lab = await load("mixed-200", generateLabFile(options));
    const t = topologyOf(lab);
    expect(lab.mode).toBe("mixed");
    expect(t.users).toHaveLength(200);
    expect(t.users.filter((u) => u.mailbox === "on-premises")).toHaveLength(100);
    const hosted = t.users.filter((u) => u.mailbox === "hosted");
    expect(hosted).toHaveLength(100);
    const tenants = new Map<string, number>();
    for (const u of hosted) tenants.set(u.tenant ?? "", (tenants.get(u.tenant ?? "") ?? 0) + 1);
    expect([...tenants]).toEqual([
      ["contoso.test", 50],
      ["tenant2.test", 50],
    ]);
    expect(new Set(t.users.map((u) => u.extension)).size).toBe(200);
    const phones = t.nodes.filter((n) => n.role === "phone");
    expect(new Set(phones.map((n) => n.addresses.corp)).size).toBe(phones.length);
    // A local lab's phones share one container (the phone bank), whatever the number of users.
    expect(new Set(phones.map((n) => n.container)).size).toBe(1);
  });

  it("is deterministic: the same options give the same file", () => {
    expect(generateLabFile(options)).toBe(generateLabFile(options));
    expect(generateLabFile({ ...options, users: 199 })).not.toBe(generateLabFile(options));
  });

  it("generates valid labs in the other modes too", async () => {
    for (const mode of ["on-premises", "cross-premises"] as const) {
      const lab = await load(mode, generateLabFile({ ...options, users: 20, mode }));
      expect(topologyOf(lab).users).toHaveLength(20);
    }
  });

  it("refuses a count it cannot place, naming the field", () => {
    expect(() => generateLabFile({ users: 401 })).toThrow(/users 401 is invalid; allowed: 1 to 400/);
    expect(() => generateLabFile({ users: 10, tenants: 0 })).toThrow(/tenants 0 is invalid/);
  });
});
