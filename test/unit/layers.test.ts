import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layers, lowest first: each may import only from layers below it (and itself).
 * constructs/ (model, renderers) < nodes/ (what both realizations share) < lab/, stacks/ < test/.
 */
const BELOW: Record<string, readonly string[]> = {
  constructs: [],
  nodes: ["constructs"],
  lab: ["constructs", "nodes"],
  bin: ["constructs", "nodes", "lab"],
  stacks: ["constructs", "nodes"],
  test: ["constructs", "nodes", "lab", "stacks", "examples"],
  examples: ["constructs"],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === "node_modules" ? [] : sources(p);
    return /\.(ts|mts|mjs)$/.test(f) ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  // Static imports and re-exports at the start of a line, and dynamic import("...").
  const statics = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm)];
  const dynamics = [...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)];
  return [...statics, ...dynamics].map((m) => m[1] as string);
}

describe("layers flow one way", () => {
  it("no file imports from a layer above its own, and only stacks/ imports cdktf", () => {
    const wrong: string[] = [];
    for (const layer of Object.keys(BELOW)) {
      for (const file of sources(layer)) {
        for (const spec of importsOf(file)) {
          if ((spec === "cdktf" || spec.startsWith("@cdktf/")) && layer !== "stacks") wrong.push(`${file} -> ${spec}`);
          if (!spec.startsWith(".")) continue;
          const target = relative(".", normalize(join(dirname(file), spec))).split("/")[0] as string;
          if (target !== layer && !(BELOW[layer] ?? []).includes(target)) wrong.push(`${file} -> ${spec}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each([
    ["constructs", 'import { x } from "../nodes/kinds.js";'],
    ["nodes", 'import { x } from "../lab/runtime/docker.js";'],
    ["lab", 'import { x } from "../stacks/lab-stack.js";'],
    ["stacks", 'import { x } from "../lab/runtime/docker.js";'],
    ["test", 'import { x } from "cdktf";'],
  ])("the lint rule refuses an upward import in %s/", (layer, line) => {
    const probe = join(layer, `zz-layer-probe-${process.pid}.ts`);
    writeFileSync(probe, `${line}\nexport const y = x;\n`);
    try {
      let out = "";
      try {
        execFileSync("npx", ["biome", "lint", probe], { stdio: "pipe", encoding: "utf8" });
      } catch (err) {
        out = String((err as { stdout?: string }).stdout) + String((err as { stderr?: string }).stderr);
      }
      expect(out).toMatch(/noRestrictedImports/);
    } finally {
      rmSync(probe, { force: true });
    }
  });
});
