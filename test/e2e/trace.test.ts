import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { checkConnectivity, checkDeposit, withCallIds } from "../../lab/calls/checks.js";
import { recordCheckCalls } from "../../lab/capture/check-calls.js";
import { readCapture } from "../../lab/capture/read.js";
import { captureContainerName } from "../../lab/capture/recorder.js";
import { clearFault, injectFault } from "../../lab/faults/faults.js";
import { docker, dockerApi, LABEL } from "../../lab/runtime/docker.js";
import { putFile } from "../../lab/runtime/put-file.js";
import { type Ladder, ladderOf } from "../../lab/trace/ladder.js";
import { NO_ANSWER_SECONDS, useLab } from "./fixture.js";

/** `read()`'s value once it stops throwing, trying for up to 10 s; its last error otherwise. */
async function eventually<T>(read: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await read();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((res) => setTimeout(res, 500));
    }
  }
}

const run = promisify(execFile);
const umlab = (...args: string[]) => run("node", ["bin/umlab.mjs", ...args], { maxBuffer: 32 * 1024 * 1024, timeout: 120_000 });

/** Copies an exported file into a container of the lab's image and runs a shell command there. */
async function inImage(container: string, file: string, script: string): Promise<string> {
  await putFile(container, `/tmp/${basename(file)}`, readFileSync(file));
  const client = await docker();
  return (await client.container.exec(client.container.getById(container), ["sh", "-c", script])).stdout;
}

/**
 * See the call, on one mixed lab: a hosted no-answer deposit, then its ladder from the lab's own
 * captures (`trace --check` and `--last`) across phone, front end, edge and hosted UM, and the
 * captures exported as pcap files that tshark and sngrep (in the lab's image) read.
 */
describe("capture and trace (mixed lab)", () => {
  const lab = useLab("mixed");
  const out = mkdtempSync(join(tmpdir(), "umlab-capture-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("a hosted no-answer deposit says which call it placed", async () => {
    const carol = lab().topology.users.find((u) => u.mailbox === "hosted");
    if (!carol) throw new Error("the mixed lab has no hosted user");
    const r = await withCallIds(() => checkDeposit(lab(), carol, true, { noAnswerSeconds: NO_ANSWER_SECONDS }));
    expect(r.result, r.diagnosis).toBe("Success");
    expect(r.callIds).toHaveLength(1);
    await recordCheckCalls(lab(), [r]);
  });

  it("trace --check draws phone -> front end -> edge -> hosted UM, with the organization, the Diversion, the 200 OK and RTP", async () => {
    const t = lab().topology;
    const carol = t.users.find((u) => u.mailbox === "hosted");
    // The hosted UM's MWI NOTIFY follows the deposit by a moment (it crosses the provider's proxy, its
    // DNS and the edge): the trace is read again until it holds it, as a user would run it again.
    const ladder = await eventually(async () => {
      const { stdout } = await umlab("trace", "--check", "no-answer deposit", "--instance", t.instance, "--json");
      const l = JSON.parse(stdout) as Ladder;
      if (!l.notes.join("\n").includes(`message waiting for ${carol?.sipUser}`))
        throw new Error(`no MWI NOTIFY yet: ${l.notes.join("; ")}`);
      return l;
    });
    expect(ladder.parties.map((p) => p.id)).toEqual(expect.arrayContaining(["frontend", "edge", "hosted-um"]));
    expect(ladder.parties[0]?.role).toBe("phone");
    const toHosted = ladder.messages.find((m) => m.method === "INVITE" && m.status === undefined && m.to === "hosted-um");
    expect(toHosted?.from).toBe("edge");
    expect(toHosted?.transport).toBe("TLS");
    expect(toHosted?.keyHeaders.organization).toBe(carol?.tenant);
    expect(toHosted?.keyHeaders.diversion?.[0]).toContain(`<${carol?.sipUri}>;reason=no-answer`);
    const okBack = ladder.messages.filter((m) => m.status === 200 && m.method === "INVITE").map((m) => `${m.from}>${m.to}`);
    expect(okBack).toEqual(["hosted-um>edge", "edge>frontend", `frontend>${ladder.parties[0]?.id}`]);
    const bar = (from: string, to: string) => ladder.media.find((m) => m.from === from && m.to === to)?.packets ?? 0;
    expect(bar("edge", "hosted-um")).toBeGreaterThan(0);
    expect(bar(ladder.parties[0]?.id as string, "edge")).toBeGreaterThan(0);
    expect(ladder.media.every((m) => m.packets > 0)).toBe(true);
    // The hosted UM's message-waiting NOTIFY has its own Call-ID and still joins the ladder.
    expect(ladder.notes.join("\n")).toContain(`message waiting for ${carol?.sipUser} that hosted-um sent after`);
    expect(ladder.messages.some((m) => m.method === "NOTIFY" && m.keyHeaders.messagesWaiting === "yes")).toBe(true);
  });

  it("trace --last prints the same call as a terminal ladder and writes the HTML page", async () => {
    const html = join(out, "ladder.html");
    const { stdout } = await umlab("trace", "--last", "--instance", lab().topology.instance, "--html", html);
    const rows = stdout.split("\n").filter((l) => /^\s+\+\d+\.\d{3} s/.test(l));
    expect(rows.find((l) => /umlab-org=/.test(l))).toMatch(/─+ INVITE ─+>│/);
    expect(rows.some((l) => /RTP \d+ pkts/.test(l))).toBe(true);
    const page = readFileSync(html, "utf8");
    expect(page).toContain("<svg");
    expect(page).toMatch(/Request-URI: sip:voicemail@[^;]+;umlab-org=/);
  });

  it("capture --out writes a pcap per network and the edge's SIP log, which tshark and sngrep in the lab's image read", async () => {
    const t = lab().topology;
    await umlab("capture", "--out", out, "--instance", t.instance);
    const files = readdirSync(out).filter((f) => f.endsWith(".pcap"));
    expect(files.sort()).toEqual(["corp.pcap", "edge-sip.pcap", "provider.pcap"]);
    const reader = captureContainerName(t.instance);
    const count = async (f: string, filter: string) =>
      Number(
        (await inImage(reader, join(out, f), `tshark -r /tmp/${f} -o rtp.heuristic_rtp:TRUE -Y '${filter}' 2>/dev/null | wc -l`)).trim(),
      );
    expect(await count("corp.pcap", "sip"), "corp.pcap: SIP").toBeGreaterThan(0);
    expect(await count("corp.pcap", "rtp"), "corp.pcap: RTP").toBeGreaterThan(0);
    expect(await count("provider.pcap", "tls"), "provider.pcap: the TLS legs, encrypted").toBeGreaterThan(0);
    expect(await count("provider.pcap", "rtp"), "provider.pcap: RTP").toBeGreaterThan(0);
    expect(await count("edge-sip.pcap", "sip"), "edge-sip.pcap: SIP").toBeGreaterThan(0);
    // The edge's TLS leg to the hosted UM, in clear: the INVITE with the organization in its Request-URI.
    const uris = await inImage(
      reader,
      join(out, "edge-sip.pcap"),
      `tshark -r /tmp/edge-sip.pcap -Y 'sip.Method == "INVITE"' -T fields -e sip.r-uri 2>/dev/null`,
    );
    expect(uris).toMatch(/sip:voicemail@[^;\s]+;umlab-org=contoso\.test/);
    const dialogs = await inImage(reader, join(out, "edge-sip.pcap"), "sngrep -I /tmp/edge-sip.pcap -N -O /tmp/sngrep-out.pcap");
    expect(Number(/Dialog count: (\d+)\s*$/.exec(dialogs)?.[1] ?? 0)).toBeGreaterThan(0);
  });

  it("sngrep runs in the front end's container (docker exec -it <front end> sngrep)", async () => {
    const r = await lab().exec("frontend", ["sngrep", "-V"]);
    expect(r.output).toMatch(/sngrep - \d/);
  });

  it("media-blocked shows as missing RTP bars through the edge while SIP goes on", async () => {
    const carol = lab().topology.users.find((u) => u.mailbox === "hosted");
    if (!carol) throw new Error("the mixed lab has no hosted user");
    const control = { lab: lab(), log: () => {}, healthTimeoutMs: 60_000 };
    await injectFault(control, "media-blocked");
    try {
      const r = await withCallIds(() => checkDeposit(lab(), carol, false, { noAnswerSeconds: NO_ANSWER_SECONDS }));
      const ladder = ladderOf(await readCapture(lab().topology), lab().topology, { callIds: r.callIds ?? [] });
      expect(ladder.messages.some((m) => m.from === "hosted-um" && m.to === "edge" && m.status === 200)).toBe(true);
      const bars = Object.fromEntries(ladder.media.map((m) => [`${m.from}>${m.to}`, m.packets]));
      expect(bars["edge>hosted-um"], JSON.stringify(bars)).toBe(0);
      expect(bars[`${ladder.parties[0]?.id}>edge`], JSON.stringify(bars)).toBeGreaterThan(0);
    } finally {
      await clearFault(control, "media-blocked");
    }
  });

  it("keeps recording when a fault stops and starts a node (the capture is on the networks, not in the node)", async () => {
    const control = { lab: lab(), log: () => {}, healthTimeoutMs: 60_000 };
    await injectFault(control, "onprem-um-down");
    await clearFault(control, "onprem-um-down");
    const [r] = await withCallIds(async () => (await checkConnectivity(lab())).filter((x) => x.target.includes("onprem-um")));
    expect(r?.result, r?.diagnosis).toBe("Success");
    // The capture is read until it holds the call (its packets reach the file a moment after the call).
    const ladder = await eventually(async () => ladderOf(await readCapture(lab().topology), lab().topology, { callIds: r?.callIds ?? [] }));
    expect(ladder.messages.map((m) => `${m.from}>${m.to} ${m.label}`)).toEqual(["frontend>onprem-um OPTIONS", "onprem-um>frontend 200 OK"]);
  });

  it("down removes the capture container with the lab", async () => {
    const instance = lab().topology.instance;
    await lab().stop();
    const left = await (await dockerApi()).listContainers({ all: true, filters: { label: [`${LABEL.instance}=${instance}`] } });
    expect(left.map((c) => c.Names[0])).toEqual([]);
  });
});
