import { KamailioEdge } from "../../constructs/edge.js";
import { OnPremUm } from "../../constructs/onprem-um.js";
import { HostedUm } from "../../constructs/provider.js";
import type { NodeRole, Topology, TopologyNode, TopologyUser } from "../../constructs/topology.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { describeFinal, nodeLogSince, type TlsProbe, type TracedRun, tlsProbe } from "./evidence.js";
import { nodeState } from "./lab-control.js";

/**
 * Why a check failed, like Test-CsExUMConnectivity's diagnostic output: the hop that failed and
 * the cause, found from evidence in the lab (the SIP final response and its reason, the nodes' log
 * lines, a TLS handshake made from the edge, container states), never from knowing which fault
 * was injected. Structured, so that a report or a ladder can show it.
 */
export interface Diagnosis {
  /** e.g. "edge -> exap.um.provider.test:5061" */
  readonly hop: string;
  /** e.g. "TLS handshake refused: certificate has expired (notAfter ...)" */
  readonly cause: string;
}

export function diagnosisText(d: Diagnosis): string {
  return `${d.hop}: ${d.cause}`;
}

function nodeOfRole(t: Topology, role: NodeRole): TopologyNode | undefined {
  return t.nodes.find((n) => n.role === role);
}

function hopToEdge(t: Topology): string {
  return `frontend -> edge ${nodeOfRole(t, "edge")?.addresses.corp}:${KamailioEdge.INTERNAL_SIP.from}`;
}

function hopToOnPrem(t: Topology): string {
  const um = nodeOfRole(t, "onprem-um");
  return `frontend -> onprem-um ${um?.fqdn} (${um?.addresses.corp}:${OnPremUm.SIP.from})`;
}

/** The provider's address as the edge names it in its reason phrase ("... from host:port"), else the hosted UM's. */
function providerTarget(t: Topology, reason?: string): { host: string; port: number } {
  const named = /from ([A-Za-z0-9.-]+):(\d+)/.exec(reason ?? "");
  if (named) return { host: named[1] as string, port: Number(named[2]) };
  return { host: nodeOfRole(t, "hosted-um")?.fqdn ?? "hosted-um", port: HostedUm.SIP_TLS.from };
}

/** Why a node did not answer SIP: its container is not running, or it runs and stays silent. */
async function silence(lab: StartedLocalLab, role: NodeRole, what: string): Promise<string> {
  const node = nodeOfRole(lab.topology, role);
  if (!node) return `${what}: no such node`;
  const state = await nodeState(lab, node.name);
  return state === "running"
    ? `${what}: ${node.name} runs but did not answer`
    : `${what}: ${node.name} is not running (container ${state})`;
}

/** The certificate fault a TLS probe shows, in words; undefined when the certificate passes. */
export function certificateCause(p: TlsProbe, expected: string): string | undefined {
  if (p.outcome !== "connected" || p.verifyCode === 0) return undefined;
  const code = p.verifyCode ?? -1;
  if (code === 10) return `certificate has expired (notAfter ${p.notAfter ?? "?"})`;
  if ([2, 7, 18, 19, 20, 21].includes(code)) return `certificate not issued by the lab CA (issuer ${p.issuer ?? "?"}: ${p.verifyText})`;
  if (code === 62) return `certificate names ${p.subject ?? "another host"}, not ${expected}`;
  return `certificate does not verify (${code}: ${p.verifyText})`;
}

/** The edge's own log lines about TLS since `sinceMs`, quoted short. */
async function edgeTlsLines(lab: StartedLocalLab, sinceMs: number): Promise<string[]> {
  const edge = nodeOfRole(lab.topology, "edge");
  if (!edge) return [];
  const lines = await nodeLogSince(lab, edge.name, sinceMs);
  // e.g. "tls_err_ret(): TLS write:error:0A000086:SSL routines::certificate verify failed (sni: unknown)"
  return lines
    .map((l) => /(TLS \w+):error:\w+:SSL routines::([^(]+)/.exec(l) ?? /(tcp_connect\w*)\(\): (.*(?:failed|timeout).*)/i.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}: ${(m[2] ?? "").trim()}`);
}

/**
 * Why the edge got no answer from the provider: a TLS handshake made from the edge shows the
 * certificate the provider presents (expired, another CA, another name) or that no connection
 * opens (then the provider host's container state says why); the edge's log corroborates.
 */
export async function providerLegCause(lab: StartedLocalLab, target: { host: string; port: number }, sinceMs: number): Promise<string> {
  const edge = nodeOfRole(lab.topology, "edge");
  if (!edge) return "the lab has no edge";
  const probe = await tlsProbe(lab, edge.name, target.host, target.port);
  const tlsLines = await edgeTlsLines(lab, sinceMs);
  const quoted = tlsLines.length > 0 ? ` (edge log: ${tlsLines.at(-1)})` : "";
  if (probe.outcome === "no-connection") {
    const hosted = nodeOfRole(lab.topology, "hosted-um");
    const state = hosted ? await nodeState(lab, hosted.name) : "missing";
    return `no TCP connection: ${probe.error}${state !== "running" && hosted ? `; ${hosted.name} is not running (container ${state})` : ""}`;
  }
  const cert = certificateCause(probe, target.host);
  if (cert) return `TLS handshake refused: ${cert}${quoted}`;
  return `the TLS session comes up (certificate ${probe.subject} from ${probe.issuer} verifies), but no SIP answer came back${quoted}`;
}

/** Why a call for `callee`'s voice mail got no 200: what the caller got says which hop; evidence there says why. */
export async function diagnoseCallFailure(lab: StartedLocalLab, callee: TopologyUser, run: TracedRun): Promise<Diagnosis> {
  const t = lab.topology;
  const f = run.final;
  if (!f) return { hop: "phone -> frontend", cause: await silence(lab, "frontend", "no final response to the INVITE") };
  const got = `${f.status} ${f.reason}`;
  if (f.status === 504 && /no answer from edge/i.test(f.reason))
    return { hop: hopToEdge(t), cause: await silence(lab, "edge", "no SIP answer") };
  if (f.status === 504 && /on-premises UM/i.test(f.reason))
    return { hop: hopToOnPrem(t), cause: await silence(lab, "onprem-um", "no SIP answer") };
  if (/unreachable via edge/i.test(f.reason)) {
    const target = providerTarget(t, f.reason);
    return { hop: `edge -> ${target.host}:${target.port}`, cause: await providerLegCause(lab, target, run.startedAt) };
  }
  if (/media relay/i.test(f.reason)) {
    return {
      hop: "edge A/V (rtpengine)",
      cause: `${got}: the media relay could not anchor the call (no ports left, or rtpengine down or slow)`,
    };
  }
  const um = callee.mailbox === "hosted" ? "frontend -> edge -> hosted-um" : "frontend -> onprem-um";
  return { hop: um, cause: `the call was refused: ${got}` };
}

/** Why an OPTIONS from the front end to a UM (through the edge for the hosted UM) got no 200. */
export async function diagnoseConnectivity(lab: StartedLocalLab, um: TopologyNode, run: TracedRun): Promise<Diagnosis> {
  const t = lab.topology;
  const f = run.final;
  if (um.role === "onprem-um") {
    return { hop: hopToOnPrem(t), cause: f ? `answered ${describeFinal(f)}` : await silence(lab, "onprem-um", "no answer to OPTIONS") };
  }
  if (!f) return { hop: hopToEdge(t), cause: await silence(lab, "edge", "no answer to OPTIONS") };
  if (/unreachable via edge/i.test(f.reason)) {
    const target = providerTarget(t, f.reason);
    return { hop: `edge -> ${target.host}:${target.port}`, cause: await providerLegCause(lab, target, run.startedAt) };
  }
  return { hop: `frontend -> edge -> ${um.name}`, cause: `answered ${describeFinal(f)}` };
}

/** Why an answered deposit left no message with the caller's audio (no message, or a silent one). */
export async function diagnoseMissingAudio(lab: StartedLocalLab, callee: TopologyUser, run: TracedRun): Promise<Diagnosis> {
  const signalling = "signalling completed (INVITE answered 200, BYE 200)";
  const edge = nodeOfRole(lab.topology, "edge");
  if (callee.mailbox !== "hosted" || !edge) {
    return { hop: `phone -> ${callee.mailboxNode}: media`, cause: `${signalling}, but the UM recorded no audio` };
  }
  const hop = `phone -> edge A/V (rtpengine) -> ${callee.mailboxNode}: media`;
  const callId = run.callId;
  const lines = (await nodeLogSince(lab, edge.name, run.startedAt)).filter((l) => l.includes(callId));
  const packets = /RTP: \d+ bytes, (\d+) packets/.exec(lines.find((l) => /umlab edge media/.test(l)) ?? "")?.[1];
  const relayed = packets === undefined ? "" : ` (the A/V edge counted ${packets} RTP packets for the call)`;
  if (lines.some((l) => /blocked at the A\/V edge/.test(l))) {
    return {
      hop,
      cause: `${signalling}, but the A/V edge dropped the call's RTP: its log says the media of this call was blocked${relayed}`,
    };
  }
  if (packets === "0") return { hop, cause: `${signalling}, but no RTP reached the A/V edge` };
  return { hop, cause: `${signalling}; RTP crossed the A/V edge${relayed}, yet the UM recorded no audio` };
}

/** A log line that explains why the provider's request (a NOTIFY) did not reach a phone: where it shows, and what it means. */
interface RefusalRule {
  readonly pattern: RegExp;
  /** The hop, from the topology and the node that logged the line. */
  readonly hop: (t: Topology, node: string) => string;
  readonly cause: (m: RegExpExecArray) => string;
  /** A TLS refusal: a handshake from the edge then says what is wrong with the provider's certificate. */
  readonly tls?: true;
}

function hopToEdgeFromProvider(t: Topology): string {
  const edge = nodeOfRole(t, "edge");
  return `provider -> edge ${edge?.fqdn ?? "edge"} (${edge?.addresses.provider ?? "?"}:${KamailioEdge.FEDERATION.from})`;
}

/** The roles whose logs can say why a request was refused (the provider's proxy runs on the hosted UM's node). */
const SIP_SERVERS: ReadonlySet<string> = new Set(["frontend", "edge", "hosted-um", "onprem-um"]);

const REFUSALS: readonly RefusalRule[] = [
  {
    pattern: /refused: no DNS SRV record (\S+)/,
    hop: () => "provider proxy -> provider DNS",
    cause: (m) => `no DNS SRV record ${m[1]}: the provider cannot find the enterprise's access edge`,
  },
  {
    pattern: /SRV (\S+) names (\S+), which has no address/,
    hop: () => "provider proxy -> provider DNS",
    cause: (m) => `SRV record ${m[1]} names ${m[2]}, which does not resolve`,
  },
  {
    pattern: /umlab trust: refused (\S+) .*unverified source \(([^)]+)\)/,
    hop: (t) => `edge -> frontend ${nodeOfRole(t, "frontend")?.addresses.corp ?? ""}`.trim(),
    cause: (m) => `the front end refused the provider's ${m[1]} with 403: the edge marked it unverified (${m[2]})`,
  },
  {
    pattern: /umlab edge trust: refused (\S+) .*certificate names '([^']*)', not the hosting provider \(([^)]+)\)/,
    hop: hopToEdgeFromProvider,
    cause: (m) => `the edge refused the provider's ${m[1]} with 403: its certificate names ${m[2]}, not the hosting provider (${m[3]})`,
  },
  {
    pattern: /TLS accept:error.*certificate verify failed/,
    hop: hopToEdgeFromProvider,
    cause: () => "TLS handshake refused by the edge: the provider's client certificate does not verify",
    tls: true,
  },
  {
    // On the provider's own side (the hosted UM and its federation proxy talk TLS too): the peer's alert says why.
    pattern:
      /TLS \w+:error:\w+:SSL routines::(?:ssl\/tls alert )?(certificate expired|unknown ca|bad certificate|certificate verify failed)/,
    hop: (_t, node) => `${node}: TLS inside the provider (hosted UM <-> its federation proxy)`,
    cause: (m) => `TLS handshake refused: ${m[1]}`,
    tls: true,
  },
];

/**
 * Why a request from the provider (a message-waiting NOTIFY, the auto attendant's call) did not
 * reach `callee`'s phone since `sinceMs`: the first refusal a node on the way logged.
 */
export async function diagnoseRefusedRequest(
  lab: StartedLocalLab,
  callee: TopologyUser,
  sinceMs: number,
  what: string,
): Promise<Diagnosis> {
  const t = lab.topology;
  const edge = nodeOfRole(t, "edge");
  if (callee.mailbox === "hosted" && edge && (await nodeState(lab, edge.name)) !== "running") {
    return { hop: hopToEdgeFromProvider(t), cause: await silence(lab, "edge", `${what} from the provider has no way in`) };
  }
  // Every server's log since the call: the provider's proxy logs a missing SRV record, the edge a
  // certificate it refuses, the front end a request it keeps from a user.
  const servers = t.nodes.filter((n) => SIP_SERVERS.has(n.role));
  const logs = await Promise.all(servers.map((n) => nodeLogSince(lab, n.name, sinceMs)));
  for (const rule of REFUSALS) {
    const at = logs.findIndex((lines) => lines.some((l) => rule.pattern.test(l)));
    const m = at < 0 ? undefined : (logs[at] ?? []).map((l) => rule.pattern.exec(l)).find((x): x is RegExpExecArray => x !== null);
    if (!m) continue;
    let cause = rule.cause(m);
    if (rule.tls && edge) {
      const target = providerTarget(t);
      const cert = certificateCause(await tlsProbe(lab, edge.name, target.host, target.port), target.host);
      if (cert) cause = `${cause}: ${cert}`;
    }
    return { hop: rule.hop(t, servers[at]?.name ?? "?"), cause };
  }
  const path = callee.mailbox === "hosted" ? "hosted-um -> provider proxy -> edge -> frontend -> phone" : "onprem-um -> frontend -> phone";
  return { hop: path, cause: `${what} did not reach the phone, and no node on the way logged a refusal` };
}
