import { beforeAll, describe, expect, it } from "vitest";
import { Cidr, defaultLab } from "../../constructs/index.js";
import { type DaemonState, daemonStates } from "../../lab/robustness/daemons.js";
import { type RobustnessRun, robustnessTargets, runLines, sendRobustness } from "../../lab/robustness/run.js";
import { checkSurvival, floodLimitsOf, floodSafeRate, type Survival, survivalLines } from "../../lab/robustness/survival.js";
import { dockerApi, LABEL } from "../../lab/runtime/docker.js";
import { StartedLocalLab } from "../../lab/runtime/local-lab.js";
import { NO_ANSWER_SECONDS, useLab } from "./fixture.js";

/** Fuzzed messages in `npm test`; `npm run bench -- --fuzz N` runs as many as you like. */
const FUZZ_COUNT = Number(process.env.UMLAB_FUZZ_COUNT ?? 300);
/** A fixed seed, so a failure replays: UMLAB_FUZZ_SEED=<seed> (the bench picks a new one each run). */
const SEED = Number(process.env.UMLAB_FUZZ_SEED ?? 4475);

describe("robustness (issue 8): odd and broken SIP and a seeded fuzzer against every SIP port of a mixed lab", () => {
  const lab = useLab("mixed", { tag: "robustness" });
  // Below the servers' own flood limit, read from the model: the fuzzer tests the parsers, not the ban.
  const rate = floodSafeRate(floodLimitsOf(defaultLab({ mode: "mixed" })));
  let before: DaemonState[];
  let run: RobustnessRun;
  let survival: Survival;

  beforeAll(async () => {
    before = await daemonStates(lab());
    const started = new Date();
    run = await sendRobustness(lab(), { fuzzCount: FUZZ_COUNT, seed: SEED, ratePerSecond: rate });
    survival = await checkSurvival(lab(), before, NO_ANSWER_SECONDS, started);
    process.stderr.write(`[robustness] ${[...runLines(run, rate), ...survivalLines(survival)].join("\n[robustness] ")}\n`);
  }, 240_000);

  it("reaches the front end (UDP, TCP), the edge (corporate port, TLS port) and both UMs, from lab containers only", () => {
    const targets = robustnessTargets(lab().topology);
    expect(targets.map((t) => `${t.node} ${t.kind}`)).toEqual([
      "frontend UDP",
      "frontend TCP",
      "edge UDP",
      "onprem-um UDP",
      "edge TLS",
      "hosted-um TLS",
    ]);
    const nodes = lab().topology.nodes;
    for (const t of targets) {
      expect(
        nodes.flatMap((n) => Object.values(n.addresses)),
        t.label,
      ).toContain(t.ip);
      // The sender is another lab container, on the target's network.
      const from = nodes.find((n) => n.name === t.from);
      expect(from?.name, t.label).not.toBe(t.node);
      const net = lab()
        .topology.networks.map((n) => Cidr.parse(n.subnet))
        .find((c) => c?.contains(t.ip));
      expect(
        Object.values(from?.addresses ?? {}).some((ip) => net?.contains(ip)),
        t.label,
      ).toBe(true);
    }
    expect(targets.filter((t) => t.kind !== "TLS").map((t) => t.from)).toEqual([
      "phone-outside",
      "phone-outside",
      "phone-outside",
      "phone-outside",
    ]);
  });

  it("sends each SIP port RFC 4475's three categories, and each TLS port garbage and half handshakes", () => {
    for (const t of run.targets) {
      const cases = run.torture.filter((c) => c.target === t.target);
      const categories = new Set(cases.map((c) => c.category));
      if (t.target.includes(" TLS ")) expect([...categories], t.target).toEqual(["tls"]);
      else expect([...categories].sort(), t.target).toEqual(["invalid", "transaction", "valid-odd"]);
      expect(t.torture, t.target).toBe(cases.length);
    }
    // The servers read what they were sent: a few answers that only a parser that got that far gives.
    const reply = (target: string, name: string) => run.torture.find((c) => c.target.startsWith(target) && c.name === name)?.reply;
    expect(reply("frontend UDP", "Max-Forwards 0 (answered by a 483, not relayed)")).toMatch(/^SIP\/2\.0 483/);
    expect(reply("frontend TCP", "a Request-URI of an unknown scheme")).toMatch(/^SIP\/2\.0 4\d\d/);
    expect(reply("edge UDP", "CSeq negative")).toMatch(/^SIP\/2\.0 400/);
    expect(reply("edge TLS", "a whole ClientHello, then silence")).toBe("TLS handshake (ServerHello)");
    expect(reply("hosted-um TLS", "a whole ClientHello, then silence")).toBe("TLS handshake (ServerHello)");
  });

  it(`sends ${FUZZ_COUNT} fuzzed messages (seed ${SEED}) shared among the ports, paced below the flood limit`, () => {
    expect(run.targets.reduce((n, t) => n + t.fuzzed, 0)).toBe(FUZZ_COUNT);
    expect(run.sent).toBeGreaterThan(FUZZ_COUNT);
    for (const t of run.targets) expect(t.fuzzed, t.target).toBeGreaterThan(0);
  });

  it("afterwards every daemon keeps its PID: nothing crashed, nothing restarted", () => {
    expect(before.length).toBeGreaterThanOrEqual(4);
    expect(survival.changes).toEqual([]);
  });

  it("was paced below the flood limit: no sender was banned, so every message reached a parser", () => {
    expect(survival.bans).toEqual([]);
  });

  it("afterwards every server answers its probe and the front end reaches each UM by OPTIONS", () => {
    expect(survival.probes.filter((p) => !p.ok)).toEqual([]);
    expect(survival.connectivity.map((r) => `${r.target}: ${r.result}`)).toEqual(survival.connectivity.map((r) => `${r.target}: Success`));
    expect(survival.connectivity).toHaveLength(2);
  });

  it("keeps secrets out of Docker labels: no password or PIN in any label, attach reads them back from the phones", async () => {
    const api = await dockerApi();
    const instance = lab().instance;
    const filters = { label: [`${LABEL.instance}=${instance}`] };
    const labels = [
      ...(await api.listNetworks({ filters })).map((n) => n.Labels ?? {}),
      ...(await api.listContainers({ all: true, filters })).map((c) => c.Labels ?? {}),
    ];
    const text = JSON.stringify(labels);
    expect(text).toContain(LABEL.topology);
    for (const u of lab().topology.users) expect(text).not.toContain(u.password);
    expect(text).not.toMatch(/\\"(password|pin)\\"/);
    const attached = await StartedLocalLab.attach(instance);
    expect(attached.topology.users.map((u) => [u.name, u.password, u.pin])).toEqual(
      lab().topology.users.map((u) => [u.name, u.password, u.pin]),
    );
  });

  it("afterwards a voice-mail deposit with the test tone passes on the on-premises and the hosted UM", () => {
    expect(survival.deposits.map((r) => `${r.target}: ${r.result} ${r.result === "Success" ? "" : r.diagnosis}`.trim())).toEqual(
      survival.deposits.map((r) => `${r.target}: Success`),
    );
    expect(survival.deposits).toHaveLength(2);
  });
});
