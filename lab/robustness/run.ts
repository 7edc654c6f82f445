import { KamailioEdge } from "../../constructs/edge.js";
import { FrontEnd } from "../../constructs/front-end.js";
import { OnPremUm } from "../../constructs/onprem-um.js";
import { HostedUm } from "../../constructs/provider.js";
import { edgeExternalAddress, OUTSIDE_PHONE, type Topology } from "../../constructs/topology.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { fuzzed } from "./fuzzer.js";
import { Prng } from "./prng.js";
import { type Outgoing, type SendTarget, sendFrom } from "./sender.js";
import { fuzzedHello, tlsCases } from "./tls.js";
import { seedCorpus, type TortureCategory, tortureCases } from "./torture.js";

/** A server port under test, and the lab container that sends to it. */
export interface RobustnessTarget extends SendTarget {
  /** SIP over UDP or TCP, or a TLS port (what arrives before a TLS session is the test) */
  readonly kind: "UDP" | "TCP" | "TLS";
  /** the sending node: a corporate phone, or the provider network's DNS host (no account anywhere) */
  readonly from: string;
  /** the server's name, for a ClientHello's SNI */
  readonly fqdn: string;
}

/**
 * Who fuzzes the provider side: a host of the provider network that is neither the edge nor the
 * hosted UM (its DNS server), as any host there could; in a lab without one, the other party.
 */
function providerSender(t: Topology, target: "edge" | "hosted-um"): string | undefined {
  const serving = new Set(["edge", "hosted-um"].map((name) => t.nodes.find((n) => n.name === name)?.addresses.provider));
  const neutral = t.nodes.find((n) => n.addresses.provider !== undefined && !serving.has(n.addresses.provider));
  return neutral?.name ?? t.nodes.find((n) => n.name === (target === "edge" ? "hosted-um" : "edge"))?.name;
}

/**
 * The lab's SIP ports, each with a sender on its network: the front end (UDP and TCP), the edge's
 * corporate port and its TLS port, the on-premises UM, and the hosted UM's TLS port. Corporate
 * ports are fuzzed from the phone outside the enterprise (no account), provider-side ports from a
 * provider host (providerSender). Ports of roles the mode lacks are left out.
 */
export function robustnessTargets(t: Topology): RobustnessTarget[] {
  const node = (name: string) => t.nodes.find((n) => n.name === name);
  const corpSender = node(OUTSIDE_PHONE)?.name ?? t.nodes.find((n) => n.role === "phone")?.name;
  const out: RobustnessTarget[] = [];
  const add = (from: string | undefined, name: string, ip: string | undefined, port: number, kind: RobustnessTarget["kind"]) => {
    const n = node(name);
    if (!from || !n || !ip) return;
    const proto = kind === "UDP" ? "udp" : "tcp";
    out.push({ label: `${name} ${kind} ${ip}:${port}`, node: name, ip, port, proto, kind, from, fqdn: n.fqdn });
  };
  add(corpSender, "frontend", node("frontend")?.addresses.corp, FrontEnd.SIP.from, "UDP");
  add(corpSender, "frontend", node("frontend")?.addresses.corp, FrontEnd.SIP_TCP.from, "TCP");
  add(corpSender, "edge", node("edge")?.addresses.corp, KamailioEdge.INTERNAL_SIP.from, "UDP");
  add(corpSender, "onprem-um", node("onprem-um")?.addresses.corp, OnPremUm.SIP.from, "UDP");
  if (node("edge")) add(providerSender(t, "edge"), "edge", edgeExternalAddress(t), KamailioEdge.FEDERATION.from, "TLS");
  add(providerSender(t, "hosted-um"), "hosted-um", node("hosted-um")?.addresses.provider, HostedUm.SIP_TLS.from, "TLS");
  return out;
}

function senderAddress(t: Topology, target: RobustnessTarget): string {
  const n = t.nodes.find((x) => x.name === target.from);
  return (target.kind === "TLS" ? n?.addresses.provider : n?.addresses.corp) ?? "0.0.0.0";
}

/** One torture case sent to one target, and the first line of what came back ("" for nothing). */
export interface TortureOutcome {
  readonly target: string;
  readonly category: TortureCategory | "tls";
  readonly name: string;
  readonly reply: string;
}

/** What the first bytes a TLS port sent back were: a handshake record (ServerHello), an alert, or nothing. */
export function tlsReply(hex: string): string {
  const b = hex.trim().split(/\s+/).filter(Boolean);
  if (b.length === 0) return "";
  if (b[0] === "16") return "TLS handshake (ServerHello)";
  if (b[0] === "15") return "TLS alert";
  return `bytes ${b.join(" ")}`;
}

/** The fixed cases for a target: RFC 4475's categories for SIP ports, broken handshakes for TLS ones. */
function fixedCases(
  t: Topology,
  target: RobustnessTarget,
  run: string,
  rng: Prng,
): { name: string; category: TortureOutcome["category"]; out: Outgoing }[] {
  const peer = { ip: target.ip, port: target.port, domain: t.sipDomain, sender: senderAddress(t, target) };
  if (target.kind === "TLS") {
    const options = tortureCases({ ...peer, transport: "TCP" }, run)[0]?.message ?? Buffer.alloc(0);
    return tlsCases(target.fqdn, rng, options).map((c) => ({
      name: c.name,
      category: "tls",
      out: { bytes: c.bytes, holdSeconds: c.holdSeconds },
    }));
  }
  return tortureCases({ ...peer, transport: target.kind }, run).map((c) => ({
    name: c.name,
    category: c.category,
    out: { bytes: c.message },
  }));
}

/** `count` fuzzed messages for a target, from a generator of its own (seeded from the run's seed). */
function fuzzBatch(t: Topology, target: RobustnessTarget, run: string, count: number, rng: Prng): Outgoing[] {
  if (target.kind === "TLS") return Array.from({ length: count }, () => ({ bytes: fuzzedHello(target.fqdn, rng) }));
  const seeds = seedCorpus(
    { ip: target.ip, port: target.port, transport: target.kind, domain: t.sipDomain, sender: senderAddress(t, target) },
    run,
  );
  return Array.from({ length: count }, () => ({ bytes: fuzzed(seeds, rng) }));
}

export interface RobustnessOptions {
  /** fuzzed messages in all, shared among the targets */
  readonly fuzzCount: number;
  /** the fuzzer's seed: the same seed sends the same messages */
  readonly seed: number;
  /** messages a second each sender sends to one server: below the servers' flood limit (see floodSafeRate) */
  readonly ratePerSecond: number;
  /** send the fixed cases first, reading each answer's first line. @default true */
  readonly torture?: boolean;
  readonly log?: (line: string) => void;
}

/** What one target got. */
export interface TargetFigures {
  readonly target: string;
  readonly torture: number;
  readonly fuzzed: number;
  readonly bytes: number;
  readonly seconds: number;
}

export interface RobustnessRun {
  readonly seed: number;
  readonly targets: readonly TargetFigures[];
  readonly sent: number;
  readonly bytes: number;
  /** wall-clock seconds of the whole run (targets of different servers run at once) */
  readonly seconds: number;
  readonly torture: readonly TortureOutcome[];
}

/** One target: its fixed cases (answers read), then its share of fuzzed messages. */
async function runTarget(lab: StartedLocalLab, target: RobustnessTarget, share: number, o: RobustnessOptions, index: number) {
  const t = lab.topology;
  const run = `${o.seed.toString(36)}-${index}`;
  const rng = new Prng((o.seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
  const cases = o.torture === false ? [] : fixedCases(t, target, run, rng);
  const tls = target.kind === "TLS";
  const first = await sendFrom(
    lab,
    target.from,
    target,
    cases.map((c) => c.out),
    { ratePerSecond: o.ratePerSecond, replySeconds: 0.25, replyAs: tls ? "hex" : "line" },
  );
  const torture = cases.map((c, i): TortureOutcome => {
    const reply = first.replies[i] ?? "";
    return { target: target.label, category: c.category, name: c.name, reply: tls ? tlsReply(reply) : reply };
  });
  const fuzz = await sendFrom(lab, target.from, target, fuzzBatch(t, target, run, share, rng), { ratePerSecond: o.ratePerSecond });
  const figures: TargetFigures = {
    target: target.label,
    torture: first.sent,
    fuzzed: fuzz.sent,
    bytes: first.bytes + fuzz.bytes,
    seconds: first.seconds + fuzz.seconds,
  };
  o.log?.(
    `  ${target.label} from ${target.from}: ${first.sent} fixed cases, ${fuzz.sent} fuzzed (${(figures.bytes / 1024).toFixed(0)} KiB) in ${figures.seconds.toFixed(1)} s`,
  );
  return { figures, torture };
}

/**
 * Sends the fixed cases and `fuzzCount` fuzzed messages to every target, paced. Targets of one
 * server go one after the other (its flood limit counts them together); servers are fuzzed at once.
 */
export async function sendRobustness(lab: StartedLocalLab, o: RobustnessOptions): Promise<RobustnessRun> {
  const targets = robustnessTargets(lab.topology);
  const started = Date.now();
  const byServer = new Map<string, { target: RobustnessTarget; index: number }[]>();
  for (const [index, target] of targets.entries()) byServer.set(target.node, [...(byServer.get(target.node) ?? []), { target, index }]);
  const shareOf = (i: number) => Math.floor(o.fuzzCount / targets.length) + (i < o.fuzzCount % targets.length ? 1 : 0);
  const results = await Promise.all(
    [...byServer.values()].map(async (list) => {
      const out = [];
      for (const { target, index } of list) out.push(await runTarget(lab, target, shareOf(index), o, index));
      return out;
    }),
  );
  const flat = results.flat();
  const figures = flat.map((r) => r.figures);
  return {
    seed: o.seed,
    targets: figures,
    sent: figures.reduce((n, f) => n + f.torture + f.fuzzed, 0),
    bytes: figures.reduce((n, f) => n + f.bytes, 0),
    seconds: (Date.now() - started) / 1000,
    torture: flat.flatMap((r) => r.torture),
  };
}

/** The figures a person reads (and the README quotes): messages, bytes, time, rate, per port. */
export function runLines(r: RobustnessRun, ratePerSecond: number): string[] {
  const fixed = r.targets.reduce((n, t) => n + t.torture, 0);
  return [
    `sent ${r.sent} messages (${fixed} fixed cases, ${r.sent - fixed} fuzzed; ${(r.bytes / 1024).toFixed(0)} KiB) to ${r.targets.length} ports in ${r.seconds.toFixed(1)} s: ${(r.sent / r.seconds).toFixed(1)} messages/s overall, at most ${ratePerSecond}/s from one sender to one server; seed ${r.seed}`,
    ...r.targets.map(
      (t) =>
        `  ${t.target.padEnd(30)} ${String(t.torture).padStart(3)} fixed + ${String(t.fuzzed).padStart(5)} fuzzed, ${(t.bytes / 1024).toFixed(0).padStart(5)} KiB in ${t.seconds.toFixed(1)} s`,
    ),
  ];
}
