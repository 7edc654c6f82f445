import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/** Small functions (aws-cdk's vpc.ts hands work to named helpers): none longer than this. */
const MAX_LINES = 80;
const LAYERS = ["constructs", "nodes", "lab", "stacks"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return f.endsWith(".ts") ? [p] : [];
  });
}

function longFunctions(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = (node as ts.FunctionLikeDeclaration).name?.getText(sf) ?? "(anonymous)";
      if (end - start + 1 > MAX_LINES) found.push(`${file}:${start + 1} ${name}: ${end - start + 1} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe("function size", () => {
  it(`no function in ${LAYERS.join(", ")} is longer than ${MAX_LINES} lines`, () => {
    expect(LAYERS.flatMap((l) => sources(l)).flatMap(longFunctions)).toEqual([]);
  });
});
