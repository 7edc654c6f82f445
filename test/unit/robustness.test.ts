import { describe, expect, it } from "vitest";
import { defaultLab } from "../../constructs/index.js";
import { topologyOf } from "../../constructs/topology.js";
import { type DaemonState, daemonChanges } from "../../lab/robustness/daemons.js";
import { fuzzed, MAX_FUZZED_BYTES } from "../../lab/robustness/fuzzer.js";
import { Prng } from "../../lab/robustness/prng.js";
import { robustnessTargets, tlsReply } from "../../lab/robustness/run.js";
import { depositUsers, floodSafeRate } from "../../lab/robustness/survival.js";
import { clientHello, fuzzedHello, tlsCases } from "../../lab/robustness/tls.js";
import { NOBODY, seedCorpus, tortureCases } from "../../lab/robustness/torture.js";

const peer = { ip: "10.61.0.10", port: 5060, transport: "UDP" as const, domain: "contoso.test", sender: "10.61.0.99" };

describe("robustness messages (issue 8)", () => {
  const cases = tortureCases(peer, "t");

  it("cover RFC 4475's three categories, each with several cases of its own", () => {
    const count = (c: string) => cases.filter((x) => x.category === c).length;
    expect(count("valid-odd")).toBeGreaterThanOrEqual(10);
    expect(count("invalid")).toBeGreaterThanOrEqual(15);
    expect(count("transaction")).toBeGreaterThanOrEqual(8);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it("address nobody in the lab and fit in one datagram", () => {
    for (const c of cases) {
      expect(c.message.length, c.name).toBeLessThan(8192);
      const start = (c.message.toString("latin1").split("\r\n")[0] ?? "").replace(/%([0-9a-f]{2})/gi, (_m, h: string) =>
        String.fromCharCode(Number.parseInt(h, 16)),
      );
      if (/ SIP\/2\.0$/.test(start) && start.includes("@")) expect(start, c.name).toContain(NOBODY);
    }
  });

  it("keep the valid ones valid: a Content-Length that fits, CRLF line ends, the headers a request needs", () => {
    for (const c of cases.filter((x) => x.category === "valid-odd" && x.message.length > 4)) {
      const text = c.message.toString("latin1");
      const [head = "", body = ""] = text.split("\r\n\r\n");
      const length = /^(?:content-length|l)\s*:\s*(\d+)/im.exec(head)?.[1];
      expect(Number(length), c.name).toBe(Buffer.byteLength(body, "latin1"));
      for (const h of [/^(via|v)\s*:/im, /^(call-id|i)\s*:/im, /^cseq\s*:/im, /^(from|f)\s*:/im, /^(to|t)\s*:/im])
        expect(head, c.name).toMatch(h);
    }
  });

  it("are the same for the same seed, and differ for another", () => {
    const seeds = seedCorpus(peer, "t");
    const run = (seed: number) => {
      const rng = new Prng(seed);
      return Array.from({ length: 200 }, () => fuzzed(seeds, rng).toString("base64"));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it("stay bounded in size, and mutate (almost) every message", () => {
    const seeds = seedCorpus(peer, "t");
    const rng = new Prng(4475);
    const all = Array.from({ length: 2000 }, () => fuzzed(seeds, rng));
    expect(Math.max(...all.map((m) => m.length))).toBeLessThanOrEqual(MAX_FUZZED_BYTES);
    const unchanged = all.filter((m) => seeds.some((s) => s.equals(m))).length;
    expect(unchanged).toBeLessThan(all.length / 20);
  });

  it("for TLS ports: a ClientHello that parses as a TLS record, and broken ones", () => {
    const hello = clientHello("sip.contoso.test", new Prng(1));
    expect([...hello.subarray(0, 3)]).toEqual([0x16, 0x03, 0x01]);
    expect(hello.readUInt16BE(3)).toBe(hello.length - 5);
    expect(hello[5]).toBe(0x01);
    expect(hello.includes(Buffer.from("sip.contoso.test"))).toBe(true);
    const cases = tlsCases("sip.contoso.test", new Prng(1), Buffer.from("OPTIONS"));
    expect(cases.some((c) => c.holdSeconds > 0)).toBe(true);
    const rng = new Prng(2);
    for (let i = 0; i < 200; i++) expect(fuzzedHello("sip.contoso.test", rng).length).toBeGreaterThan(0);
    expect(tlsReply("16 03 03 00 5d 02 00 00")).toBe("TLS handshake (ServerHello)");
    expect(tlsReply("15 03 01 00 02 02 46")).toBe("TLS alert");
    expect(tlsReply("")).toBe("");
  });
});

describe("the robustness run's limits (issue 8)", () => {
  it("targets only the lab's own servers, sent from the lab's own containers", () => {
    const t = topologyOf(defaultLab({ mode: "mixed" }));
    const targets = robustnessTargets(t);
    const addresses = t.nodes.flatMap((n) => Object.values(n.addresses));
    expect(targets.length).toBe(6);
    for (const target of targets) {
      expect(addresses).toContain(target.ip);
      expect(t.nodes.map((n) => n.name)).toContain(target.from);
    }
    expect(robustnessTargets(topologyOf(defaultLab({ mode: "on-premises" }))).map((x) => x.label)).toEqual([
      "frontend UDP 10.61.0.10:5060",
      "frontend TCP 10.61.0.10:5060",
      "onprem-um UDP 10.61.0.20:5060",
    ]);
  });

  it("paces each sender at half the strictest flood limit's average rate", () => {
    expect(floodSafeRate([{ requests: 64, windowSeconds: 2 }])).toBe(16);
    expect(
      floodSafeRate([
        { requests: 64, windowSeconds: 2 },
        { requests: 20, windowSeconds: 2 },
      ]),
    ).toBe(5);
    expect(floodSafeRate([], 12)).toBe(12);
    expect(floodSafeRate([{ requests: 4, windowSeconds: 60 }])).toBe(1);
  });

  it("proves the lab still works with one deposit per mailbox location", () => {
    const mixed = topologyOf(defaultLab({ mode: "mixed" })).users;
    expect(depositUsers(mixed).map((u) => u.mailbox)).toEqual(["on-premises", "hosted"]);
    expect(depositUsers(topologyOf(defaultLab({ mode: "on-premises" })).users)).toHaveLength(1);
  });

  it("calls a daemon gone or a container restarted a change, a forked worker not", () => {
    const s = (processes: string[], startedAt = "t0"): DaemonState[] => [{ node: "frontend", startedAt, restarts: 0, processes }];
    expect(daemonChanges(s(["10 kamailio", "11 kamailio"]), s(["10 kamailio", "11 kamailio"]))).toEqual([]);
    expect(daemonChanges(s(["10 kamailio"]), s(["10 kamailio", "12 kamailio"]))).toEqual([]);
    expect(daemonChanges(s(["10 kamailio", "11 kamailio"]), s(["20 kamailio", "21 kamailio"]))).toEqual([
      "frontend: processes gone: 10 kamailio, 11 kamailio; new: 20 kamailio, 21 kamailio",
    ]);
    expect(daemonChanges(s(["10 kamailio"]), s(["10 kamailio"], "t1"))[0]).toMatch(/container restarted/);
  });
});
