import { randomBytes } from "node:crypto";
import type { NetworkRole } from "../../constructs/topology.js";
import { nodeOf } from "../../constructs/topology.js";
import { type SippRun, sipp } from "../../lab/calls/driver.js";
import { docker, dockerApi, LABEL } from "../../lab/runtime/docker.js";
import { ensureImage } from "../../lab/runtime/images.js";
import type { StartedLocalLab } from "../../lab/runtime/local-lab.js";
import { putFile } from "../../lab/runtime/put-file.js";
import { scenarioFiles } from "../../nodes/calls/assets.js";
import { sippCommand } from "../../nodes/calls/plan.js";

/*
 * What the SIP-layer security tests need besides the lab's own phones: a throw-away SIPp host of
 * their own (a flood source, a relay victim), on a lab network or inside a node's network namespace,
 * and the few things read from a SIPp run (final statuses, a header it sent, its call counts).
 */

/** A throw-away SIPp host: its address, and SIPp runs in it (the lab's scenarios are installed). */
export interface SippProbe {
  readonly ip: string;
  run(scenario: string, args: string[], timeoutSeconds: number, options?: { trace?: boolean; calls?: number }): Promise<SippRun>;
  remove(): Promise<void>;
}

/**
 * Starts a SIPp host on one of the lab's networks (`{ network }`), or sharing a node's network
 * namespace and so its address (`{ shareWith }`). Labelled with the lab instance, so `umlab down`
 * removes it should `remove` not be reached; it also ends by itself after `lifetimeSeconds`.
 */
export async function startSippProbe(
  lab: StartedLocalLab,
  where: { network: NetworkRole } | { shareWith: string },
  lifetimeSeconds = 300,
): Promise<SippProbe> {
  const network = "network" in where ? lab.topology.networks.find((n) => n.role === where.network)?.name : undefined;
  const mode = "shareWith" in where ? `container:${nodeOf(lab.topology, where.shareWith).container}` : network;
  if (!mode) throw new Error(`lab ${lab.instance} has no such network`);
  const container = await (await dockerApi()).createContainer({
    Image: (await ensureImage("sipp")).tag,
    name: `umlab-${lab.instance}-sipp-probe-${randomBytes(3).toString("hex")}`,
    Labels: { [LABEL.instance]: lab.instance, [LABEL.node]: "sipp-probe" },
    Entrypoint: ["sleep"],
    Cmd: [String(lifetimeSeconds)],
    HostConfig: { NetworkMode: mode, AutoRemove: true },
  });
  const remove = () => container.remove({ force: true }).catch(() => {});
  try {
    await container.start();
    const info = await container.inspect();
    const ip =
      "shareWith" in where
        ? (nodeOf(lab.topology, where.shareWith).addresses.corp as string)
        : info.NetworkSettings.Networks[network as string]?.IPAddress;
    if (!ip) throw new Error("the SIPp probe got no address");
    const client = await docker();
    const exec = (command: string[]) => client.container.exec(client.container.getById(container.id), command);
    await exec(["mkdir", "-p", "/etc/umlab/sipp"]);
    for (const f of scenarioFiles()) await putFile(container.id, `/etc/umlab/${f.path}`, Buffer.from(f.content));
    return { ip, run: (scenario, args, timeoutSeconds, options = {}) => runIn(exec, scenario, args, timeoutSeconds, options), remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** One SIPp run in a probe, as the driver's `sipp` runs one in a node (`calls`: -m, 1 unless told). */
async function runIn(
  exec: (command: string[]) => Promise<{ exitCode: number; output: string }>,
  scenario: string,
  args: string[],
  timeoutSeconds: number,
  options: { trace?: boolean; calls?: number },
): Promise<SippRun> {
  const callId = `umlab-${randomBytes(6).toString("hex")}`;
  const log = `/tmp/${callId}.msg`;
  // Many calls: each its own Call-ID (%u, the call number), or SIPp cannot tell their answers apart.
  const calls = options.calls ?? 1;
  const cmd = sippCommand(
    scenario,
    options.trace ? ["-trace_msg", "-message_file", log, ...args] : args,
    timeoutSeconds,
    calls > 1 ? `${callId}-%u` : callId,
  );
  cmd.splice(cmd.indexOf("-m") + 1, 1, String(calls));
  const started = Date.now();
  const r = await exec(cmd);
  const ms = Date.now() - started;
  const messages = options.trace ? (await exec(["sh", "-c", `cat ${log}; rm -f ${log}`])).output : undefined;
  return { ok: r.exitCode === 0, exitCode: r.exitCode, ms, output: r.output, callId, ...(messages !== undefined ? { messages } : {}) };
}

/** A SIPp run in one of the lab's nodes (a phone, the front end), traced. */
export function traced(lab: StartedLocalLab, node: string, scenario: string, args: string[], timeoutSeconds: number): Promise<SippRun> {
  return sipp(lab, node, scenario, args, timeoutSeconds, true);
}

/**
 * The status lines of the responses in a traced run, in order, each once (a retransmitted request
 * may be answered twice), e.g. ["401 Unauthorized", "403 Not a user of this domain"].
 */
export function statusesOf(run: SippRun): string[] {
  const lines = [...(run.messages ?? "").matchAll(/^SIP\/2\.0 (\d{3} [^\r\n]*)/gm)].map((m) => (m[1] as string).trim());
  return lines.filter((line, i) => lines.indexOf(line) === i);
}

/** The requests a traced run received (request lines), e.g. what a victim got. */
export function requestsReceived(run: SippRun): string[] {
  return [...(run.messages ?? "").matchAll(/^([A-Z]+ sip:[^\r\n]* SIP\/2\.0)\r?$/gm)]
    .map((m) => m[1] as string)
    .filter((line, i, all) => all.indexOf(line) === i);
}

/** The value of the first `name` header in the messages of a traced run (what it sent or got). */
export function headerSent(run: SippRun, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*([^\\r\\n]+)`, "im").exec(run.messages ?? "")?.[1]?.trim();
}

/** SIPp's closing counts of a run of many calls: answered (successful) and unanswered (failed). */
export function callCounts(run: SippRun): { successful: number; failed: number } {
  const count = (label: string) => {
    const rows = [...run.output.matchAll(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, "g"))];
    return Number(rows.at(-1)?.[1] ?? Number.NaN);
  };
  return { successful: count("Successful call"), failed: count("Failed call") };
}
