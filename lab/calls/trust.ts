import { randomBytes } from "node:crypto";
import { KamailioEdge } from "../../constructs/edge.js";
import { HostedUm, type VerificationLevel } from "../../constructs/provider.js";
import { addressOf, edgeExternalAddress, nodeOf, type TopologyUser } from "../../constructs/topology.js";
import { CALLER_SIP_PORT, credentialArgs, frontEndTarget, optionsPlan } from "../../nodes/calls/plan.js";
import type { TlsMaterial } from "../../nodes/pki.js";
import { containerLogs } from "../runtime/container-logs.js";
import { docker, dockerApi, LABEL } from "../runtime/docker.js";
import { ensureImage } from "../runtime/images.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { putFile } from "../runtime/put-file.js";
import { phoneListening, register, type SippRun, sipp, waitForNotify } from "./driver.js";

/**
 * Source verification at the edge, seen from both sides: a TLS client on the provider network that
 * presents a certificate of the test's choosing, the trust mark as the phone receives it, and the
 * edge's run-time verification level.
 */

/** The edge's trust mark (Lync's header; the values are umlab's, see edge.cfg route[TRUST]). */
export const TRUST_HEADER = "ms-edge-proxy-message-trust";

/** A trust mark, parsed. */
export interface TrustMark {
  readonly verified: boolean;
  /** umlab-verification-level: the level the edge applied */
  readonly level: string;
  /** ms-remote-fqdn: the name on the peer's certificate */
  readonly remoteFqdn: string;
  /** ms-ep-fqdn: the edge that marked the request */
  readonly edgeFqdn: string;
  readonly raw: string;
}

/** The trust marks a SIP message carries (none, one, or a forged one beside the edge's). */
export function trustMarksOf(message: string): TrustMark[] {
  return [...message.matchAll(new RegExp(`^${TRUST_HEADER}:\\s*(.+?)\\s*$`, "gim"))].map((m) => {
    const raw = m[1] as string;
    const params = new Map(
      raw.split(";").map((p) => {
        const [k = "", ...v] = p.trim().split("=");
        return [k.toLowerCase(), v.join("=")] as const;
      }),
    );
    return {
      verified: params.get("ms-source-verified-user") === "verified",
      level: params.get("umlab-verification-level") ?? "",
      remoteFqdn: params.get("ms-remote-fqdn") ?? "",
      edgeFqdn: params.get("ms-ep-fqdn") ?? "",
      raw,
    };
  });
}

/** The hosted UM's own TLS identity (the name the provider's proxy FQDN), read from its node. */
export async function providerIdentity(lab: StartedLocalLab): Promise<TlsMaterial> {
  const read = async (file: string) => {
    const r = await lab.exec("hosted-um", ["cat", `/etc/umlab/tls/${file}`]);
    if (r.exitCode !== 0) throw new Error(`cannot read the hosted UM's ${file}: ${r.output}`);
    return r.output;
  };
  return { ca: await read("ca.crt"), cert: await read("node.crt"), key: await read("node.key") };
}

/** The final response a request got. */
export interface FinalResponse {
  readonly status: number;
  readonly reason: string;
  readonly ms: number;
  /** what came back, and openssl's own account of the TLS session, for diagnosis */
  readonly output: string;
}

function finalResponseIn(text: string): { status: number; reason: string } {
  const last = [...text.matchAll(/^SIP\/2\.0 ([2-6]\d\d) ?(.*?)\r?$/gm)].at(-1);
  return last ? { status: Number(last[1]), reason: (last[2] ?? "").trim() } : { status: 0, reason: "no final response" };
}

/**
 * A throw-away container on the provider network (the Kamailio image, for its openssl) holding a
 * TLS identity under /probe. Labelled with the lab instance, so `umlab down` removes it too should
 * `remove` not be reached; it also ends by itself after `lifetimeSeconds`.
 */
async function startProviderProbe(lab: StartedLocalLab, identity: TlsMaterial, lifetimeSeconds: number) {
  const network = lab.topology.networks.find((n) => n.role === "provider")?.name;
  if (!network) throw new Error(`lab ${lab.instance} has no provider network`);
  const container = await (await dockerApi()).createContainer({
    Image: (await ensureImage("kamailio")).tag,
    name: `umlab-${lab.instance}-provider-probe-${randomBytes(3).toString("hex")}`,
    Labels: { [LABEL.instance]: lab.instance, [LABEL.node]: "provider-probe" },
    Entrypoint: ["sleep"],
    Cmd: [String(lifetimeSeconds)],
    HostConfig: { NetworkMode: network, AutoRemove: true },
  });
  const remove = () => container.remove({ force: true }).catch(() => {});
  try {
    await container.start();
    const ip = (await container.inspect()).NetworkSettings.Networks[network]?.IPAddress;
    if (!ip) throw new Error(`the provider probe got no address on ${network}`);
    const client = await docker();
    const exec = (command: string[]) => client.container.exec(client.container.getById(container.id), command);
    await exec(["mkdir", "-p", "/probe"]);
    const files = { "ca.crt": identity.ca, "node.crt": identity.cert, "node.key": identity.key };
    for (const [name, content] of Object.entries(files)) await putFile(container.id, `/probe/${name}`, Buffer.from(content));
    return { ip, exec, put: (name: string, content: string) => putFile(container.id, `/probe/${name}`, Buffer.from(content)), remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** An unsolicited message-waiting NOTIFY for `user`, as the hosted UM sends one (RFC 3842). */
function providerNotify(lab: StartedLocalLab, user: TopologyUser, via: string): string {
  const t = lab.topology;
  const body = `Messages-Waiting: yes\r\nMessage-Account: ${user.sipUri}\r\nVoice-Message: 1/0 (0/0)\r\n`;
  const id = randomBytes(6).toString("hex");
  return [
    `NOTIFY sip:${user.sipUser}@${t.sipDomain} SIP/2.0`,
    `Via: SIP/2.0/TLS ${via}:${KamailioEdge.FEDERATION.from};branch=z9hG4bK-${id}`,
    `From: <sip:${HostedUm.PILOT}@${nodeOf(t, "hosted-um").fqdn}>;tag=${id}`,
    `To: <${user.sipUri}>`,
    `Call-ID: umlab-probe-${id}`,
    "CSeq: 1 NOTIFY",
    "Max-Forwards: 70",
    "Event: message-summary",
    "Subscription-State: terminated;reason=noresource",
    "Content-Type: application/simple-message-summary",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

/**
 * One message-waiting NOTIFY for `user`, sent the way the hosted UM sends it (over mutual TLS to
 * the edge's federation port) from a throw-away container on the provider network that presents
 * `identity`. Returns the final response; the container is removed afterwards.
 * openssl s_client, not SIPp: SIPp 3.7.3's TLS client fails its non-blocking handshake here.
 */
export async function notifyFromProvider(
  lab: StartedLocalLab,
  identity: TlsMaterial,
  user: TopologyUser,
  timeoutSeconds = 8,
): Promise<FinalResponse> {
  const probe = await startProviderProbe(lab, identity, timeoutSeconds + 60);
  try {
    await probe.put("request.sip", providerNotify(lab, user, probe.ip));
    const edge = `${edgeExternalAddress(lab.topology)}:${KamailioEdge.FEDERATION.from}`;
    const tls = "-cert /probe/node.crt -key /probe/node.key -CAfile /probe/ca.crt -verify_return_error -quiet -no_ign_eof";
    // Keep the connection open until a final response came back (at most timeoutSeconds), then close it.
    const script = `(cat /probe/request.sip; i=0; while [ $i -lt ${timeoutSeconds * 10} ] && ! grep -q '^SIP/2.0 [2-6]' /probe/response 2>/dev/null; do i=$((i + 1)); sleep 0.1; done) \
| timeout ${timeoutSeconds + 2} openssl s_client -connect ${edge} ${tls} > /probe/response 2> /probe/tls.log; cat /probe/response; echo ---; cat /probe/tls.log`;
    const started = Date.now();
    const run = await probe.exec(["sh", "-c", script]);
    return { ...finalResponseIn(run.output.split("\n---\n")[0] ?? ""), ms: Date.now() - started, output: run.output };
  } finally {
    await probe.remove();
  }
}

/**
 * A signed-in user's phone sends `callee` a message-waiting NOTIFY carrying a forged trust mark
 * (verified, as if from the edge); the callee's phone takes it (see phoneReceivesNotify).
 */
export async function forgedTrustNotify(lab: StartedLocalLab, caller: TopologyUser, callee: TopologyUser): Promise<SippRun> {
  const ip = nodeOf(lab.topology, caller.phone).addresses.corp as string;
  const keys = { caller: caller.sipUser, callee: callee.sipUser, domain: lab.topology.sipDomain };
  const args = [
    ...Object.entries(keys).flatMap(([k, v]) => ["-key", k, v]),
    ...[...credentialArgs(caller.phone), "-i", ip, "-p", String(CALLER_SIP_PORT), frontEndTarget(lab.topology)],
  ];
  return sipp(lab, caller.phone, "forged-trust-notify", args, 8);
}

/**
 * The edge's side of "only the edge marks": an OPTIONS carrying a forged trust mark, sent from the
 * front end's address (the one corporate source the edge accepts) through the edge to the hosted
 * UM's pilot, and the request as the hosted UM received it (Asterisk's PJSIP logger, switched on
 * into a file of its own for the duration). `received` is undefined if it never arrived.
 */
export async function forgedTrustTowardsProvider(lab: StartedLocalLab): Promise<{ sent: SippRun; received?: string }> {
  const t = lab.topology;
  const log = "/tmp/umlab-trust-sip.log";
  const cli = (commands: string[]) => lab.exec("hosted-um", ["sh", "-c", commands.map((c) => `asterisk -rx "${c}"`).join(" && ")]);
  await cli([`logger add channel ${log} verbose`, "pjsip set logger on"]);
  try {
    const nextHop = `${addressOf(t, "edge", "corp")}:${KamailioEdge.INTERNAL_SIP.from}`;
    const target = `sip:${HostedUm.PILOT}@${nodeOf(t, "hosted-um").fqdn}`;
    const sent = await sipp(lab, "frontend", "forged-trust-options", optionsPlan(t, "frontend", target, nextHop), 5);
    const text = (await lab.exec("hosted-um", ["cat", log])).output;
    const received = text.split(/^.*<--- /m).find((block) => block.startsWith("Received SIP request") && block.includes(sent.callId));
    return { sent, ...(received !== undefined ? { received } : {}) };
  } finally {
    await cli(["pjsip set logger off", `logger remove channel ${log}`]);
    await lab.exec("hosted-um", ["rm", "-f", log]);
  }
}

/**
 * Registers `user`'s phone, lets it take NOTIFYs while `send` runs, then unregisters it. Returns
 * what `send` returned and the first NOTIFY that `wanted` accepts (by default the first one), or
 * undefined if none came within `waitSeconds`.
 */
export async function phoneReceivesNotify<T>(
  lab: StartedLocalLab,
  user: TopologyUser,
  send: () => Promise<T>,
  options: { waitSeconds?: number; wanted?: (notify: string) => boolean } = {},
): Promise<{ sent: T; notify?: string; phoneOutput: string }> {
  const deadline = Date.now() + (options.waitSeconds ?? 10) * 1000;
  const reg = await register(lab, user.name);
  if (!reg.ok) throw new Error(`${user.name}'s phone could not register: ${reg.output}`);
  try {
    const take = async (): Promise<{ notify?: string; phoneOutput: string }> => {
      const left = Math.ceil((deadline - Date.now()) / 1000);
      if (left <= 0) return { phoneOutput: "no NOTIFY in time" };
      const r = await waitForNotify(lab, user.name, left);
      if (!r.ok || !r.summary) return { phoneOutput: r.output };
      return !options.wanted || options.wanted(r.summary.raw) ? { notify: r.summary.raw, phoneOutput: r.output } : take();
    };
    const taken = take();
    await phoneListening(lab, user.name, taken);
    const sent = await send();
    return { sent, ...(await taken) };
  } finally {
    await register(lab, user.name, 0);
  }
}

/**
 * Waits until the hosted UM has sent the message-waiting NOTIFYs it sends for every mailbox when
 * it starts (they cross the edge as the lab turns healthy): no new one at the edge for `quietMs`.
 * A phone registered earlier would take one of those instead of the NOTIFY under test.
 */
export async function providerNotifiesSettled(lab: StartedLocalLab, quietMs = 2000, maxMs = 20_000): Promise<void> {
  const count = async () => (await kamailioLogLines(lab, "edge", "umlab edge trust: NOTIFY from", 5000)).length;
  const end = Date.now() + maxMs;
  let last = await count();
  let since = Date.now();
  while (Date.now() < end && Date.now() - since < quietMs) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await count();
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

/**
 * Sets the edge's verification level at run time, without a restart (the htable trust=>level that
 * route[TRUST] reads; the fault scenario provider-unverified uses the same hook). `undefined`
 * deletes the override: the model's level applies again.
 */
export async function setEdgeVerificationLevel(lab: StartedLocalLab, level: VerificationLevel | undefined): Promise<void> {
  const cmd = level ? ["kamcmd", "htable.sets", "trust", "level", level] : ["kamcmd", "htable.delete", "trust", "level"];
  const r = await lab.exec("edge", cmd);
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed on the edge: ${r.output}`);
}

/** Lines of a Kamailio node's log (front end, edge) that contain `needle`. */
export async function kamailioLogLines(lab: StartedLocalLab, node: "frontend" | "edge", needle: string, tail = 400): Promise<string[]> {
  const text = await containerLogs(nodeOf(lab.topology, node).container, tail);
  return text.split("\n").filter((l) => l.includes(needle));
}
