import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { containerLogs, splitLogFrames } from "../../lab/runtime/container-logs.js";
import { dockerApi } from "../../lab/runtime/docker.js";
import { ensureImage, removeImage } from "../../lab/runtime/images.js";

/** Marks what these tests create, so afterAll removes it even when a test fails half-way. */
const TEST_LABEL = "io.umlab.test";
const RUN = `docker-layer-${process.pid}`;

/**
 * Lines whose frames have a length byte that reads as text if headers are stripped by hand:
 * 69 bytes is "E" (the "EERROR" seen in health failures), 10 bytes a newline, 300 bytes a ",".
 */
const LINES = {
  stdout: ["out-one", "non-ASCII: é ü ß", "o".repeat(299)],
  stderr: [`ERROR: ${"x".repeat(61)}`, "err-short"],
} as const;

/** Runs `script` with sh in a fresh container of `image` (no network) until it exits; returns its id. */
async function runToExit(image: string, script: string): Promise<string> {
  const api = await dockerApi();
  const c = await api.createContainer({
    Image: image,
    Entrypoint: ["sh", "-c"],
    Cmd: [script],
    Labels: { [TEST_LABEL]: RUN },
    HostConfig: { NetworkMode: "none" },
  });
  await c.start();
  await c.wait();
  return c.id;
}

/** Characters that are neither printable nor a line break: what a leaked header byte looks like. */
function strayControlCharacters(text: string): string[] {
  return [...text].filter((ch) => ch !== "\n" && (ch.codePointAt(0) ?? 0) < 0x20);
}

afterAll(async () => {
  const api = await dockerApi();
  const left = await api.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${RUN}`] } });
  await Promise.all(left.map((c) => api.getContainer(c.Id).remove({ force: true })));
});

describe("container logs", () => {
  it("split into frames per stream, with no header byte in the text", async () => {
    const { tag } = await ensureImage("sipp");
    const say = (line: string, fd: 1 | 2) => `printf '%s\\n' '${line}' >&${fd}`;
    const script = [...LINES.stdout.map((l) => say(l, 1)), ...LINES.stderr.map((l) => say(l, 2))].join("; ");
    const id = await runToExit(tag, script);

    const raw = await (await dockerApi()).getContainer(id).logs({ stdout: true, stderr: true, follow: false });
    const frames = splitLogFrames(raw);
    const textOf = (stream: string) =>
      frames
        .filter((f) => f.stream === stream)
        .map((f) => f.data.toString("utf8"))
        .join("");
    expect(textOf("stdout")).toBe(LINES.stdout.map((l) => `${l}\n`).join(""));
    expect(textOf("stderr")).toBe(LINES.stderr.map((l) => `${l}\n`).join(""));

    const text = await containerLogs(id, 100);
    expect(strayControlCharacters(text)).toEqual([]);
    expect(text.split("\n").filter(Boolean).sort()).toEqual([...LINES.stdout, ...LINES.stderr].sort());
  });

  it("keep a container's raw output whole when it is not framed (a TTY)", () => {
    const raw = Buffer.from("plain text from a TTY\nsecond line\n");
    expect(splitLogFrames(raw)).toEqual([{ stream: "stdout", data: raw }]);
  });
});

describe("image builds through the Docker API", () => {
  const context = mkdtempSync(join(tmpdir(), "umlab-build-probe-"));
  const tags: string[] = [];
  afterAll(async () => {
    for (const tag of tags) await removeImage(tag);
    rmSync(context, { recursive: true, force: true });
  });
  const dockerfile = (text: string) => {
    mkdirSync(join(context, "sipp"), { recursive: true });
    writeFileSync(join(context, "sipp", "Dockerfile"), text);
  };

  it("build from a context laid out like nodes/images, report each step, and carry common/ into the image", async () => {
    mkdirSync(join(context, "common"), { recursive: true });
    writeFileSync(join(context, "common", "probe.txt"), `${RUN}\n`);
    dockerfile("FROM debian:trixie-slim\nCOPY common/probe.txt /probe.txt\n");
    const tag = `umlab-test-probe:${process.pid}`;
    tags.push(tag);
    const log: string[] = [];

    const built = await ensureImage("sipp", (l) => log.push(l), { contextDir: context, tag });

    expect(built.builtSeconds).toBeGreaterThan(0);
    expect(log).toEqual(expect.arrayContaining([expect.stringMatching(/Step 2\/2 : COPY common\/probe.txt/)]));
    expect(await containerLogs(await runToExit(tag, "cat /probe.txt"))).toBe(`${RUN}\n`);
    expect(await ensureImage("sipp", () => {}, { contextDir: context, tag })).toEqual({ tag });
  });

  it("fail with the build's own error message and its last output", async () => {
    dockerfile("FROM debian:trixie-slim\nRUN echo umlab-probe-said-this && exit 3\n");
    const tag = `umlab-test-broken:${process.pid}`;
    tags.push(tag);

    // This build's own step only (other files may be building images from the same base meanwhile).
    const leftovers = async () =>
      (await (await dockerApi()).listContainers({ all: true })).filter((c) => c.Command.includes("umlab-probe-said-this"));
    const had = (await leftovers()).map((c) => c.Id);
    const build = ensureImage("sipp", () => {}, { contextDir: context, tag });

    await expect(build).rejects.toThrow(
      /building image umlab-test-broken:\d+ failed: .*returned a non-zero code: 3[\s\S]*umlab-probe-said-this/,
    );
    // The failed step's container is gone with the build (forcerm), not left exited on the engine.
    expect((await leftovers()).filter((c) => !had.includes(c.Id))).toEqual([]);
  });
});
