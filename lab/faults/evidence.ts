import { nodeOf } from "../../constructs/topology.js";
import { type CallOptions, callPlan, optionsPlan, phoneDir } from "../../nodes/calls/plan.js";
import { placedCalls, preparePlay, type SippRun, sipp } from "../calls/driver.js";
import { logText } from "../runtime/container-logs.js";
import { dockerApi } from "../runtime/docker.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { type FinalResponse, finalResponse, parseSippLog } from "./sip-log.js";

/**
 * Evidence of what happened to a call or a probe, read from the lab: the final response the caller
 * got (SIPp's message log), and the lines nodes logged meanwhile (their container logs). The
 * diagnosis (diagnosis.ts) works from these, never from knowing which fault was injected.
 */

/** A SIPp run with the final response its request got, if any, and when it started (for logs since). */
export interface TracedRun extends SippRun {
  readonly final?: FinalResponse;
  readonly startedAt: number;
}

/**
 * A call like the call driver's (and counted among a check's calls), with SIPp's message log kept:
 * it plays the test tone unless keys are given.
 */
export async function tracedCall(
  lab: StartedLocalLab,
  o: Omit<CallOptions, "media"> & { media?: CallOptions["media"] },
): Promise<TracedRun> {
  const plan = callPlan(lab.topology, o);
  await preparePlay(lab, plan.node, o.media ?? { tone: true });
  const startedAt = Date.now();
  const run = await sipp(lab, plan.node, plan.scenario, plan.args, o.timeoutSeconds, true, phoneDir(plan.node));
  placedCalls.getStore()?.push(run.callId);
  const final = finalResponse(parseSippLog(run.messages ?? ""), "INVITE");
  return { ...run, startedAt, ...(final ? { final } : {}) };
}

/** One SIP OPTIONS from `fromNode` to `target` via `nextHop`, like the driver's, with the message log kept. */
export async function tracedOptions(
  lab: StartedLocalLab,
  fromNode: string,
  target: string,
  nextHop: string,
  timeoutSeconds = 3,
): Promise<TracedRun> {
  const startedAt = Date.now();
  const run = await sipp(lab, fromNode, "options", optionsPlan(lab.topology, fromNode, target, nextHop), timeoutSeconds, true);
  placedCalls.getStore()?.push(run.callId);
  const final = finalResponse(parseSippLog(run.messages ?? ""), "OPTIONS");
  return { ...run, startedAt, ...(final ? { final } : {}) };
}

/** "504 Reason" for a final response; "no final response" when there was none. */
export function describeFinal(final: FinalResponse | undefined): string {
  return final ? `${final.status} ${final.reason}` : "no final response";
}

/** Asterisk colours its console lines: ESC [ ... m. */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** The lines a node's container logged since `sinceMs` (a second before, for clock granularity). */
export async function nodeLogSince(lab: StartedLocalLab, node: string, sinceMs: number): Promise<string[]> {
  const api = await dockerApi();
  try {
    const since = Math.floor(sinceMs / 1000) - 1;
    const logs = await api.getContainer(nodeOf(lab.topology, node).container).logs({ stdout: true, stderr: true, since, follow: false });
    return (
      logText(Buffer.isBuffer(logs) ? logs : Buffer.from(logs))
        .split("\n")
        // Asterisk colours its console lines.
        .map((l) => l.replace(ANSI_COLOUR, ""))
        .filter((l) => l.trim() !== "")
    );
  } catch {
    return [];
  }
}

/** What a TLS handshake from a node (with its own certificate and trust store) to a peer showed. */
export interface TlsProbe {
  /** connected: a TLS session was set up (`verify` says whether the peer's certificate passed). */
  readonly outcome: "connected" | "no-connection";
  /** openssl's verify result: 0 ok, 10 expired, 20/21 unknown issuer, 62 hostname mismatch... */
  readonly verifyCode?: number;
  readonly verifyText?: string;
  readonly subject?: string;
  readonly issuer?: string;
  readonly notAfter?: string;
  /** when there was no connection: why (connect errno, a name that does not resolve, a timeout) */
  readonly error?: string;
}

/**
 * A TLS handshake from `node` to `host:port` with openssl, as the node's own TLS client would make
 * it: its certificate and key, its CA list, and the name it expects. Only reads what the peer
 * presents; openssl goes on past a failed verification, so the certificate is always seen.
 */
export async function tlsProbe(lab: StartedLocalLab, node: string, host: string, port: number, seconds = 4): Promise<TlsProbe> {
  const tls = "/etc/umlab/tls";
  const cmd = `timeout ${seconds} openssl s_client -connect ${host}:${port} -servername ${host} -verify_hostname ${host} -CAfile ${tls}/ca.crt -cert ${tls}/node.crt -key ${tls}/node.key </dev/null 2>&1`;
  const r = await lab.exec(node, ["sh", "-c", cmd]);
  return parseTlsProbe(r.output, seconds);
}

/** Reads openssl s_client's output (OpenSSL 3). */
export function parseTlsProbe(output: string, seconds: number): TlsProbe {
  const verify = /Verify return code: (\d+) \(([^)]*)\)/.exec(output);
  if (!/CONNECTED\(/.test(output) || !verify) {
    const errno = /connect:errno=(\d+)/.exec(output)?.[1];
    const why =
      errno === "111"
        ? "TCP connection refused"
        : errno === "113"
          ? "no route to host"
          : /BIO_lookup|Name or service not known|nodename nor servname/.test(output)
            ? "the name does not resolve"
            : errno
              ? `connect failed (errno ${errno})`
              : `no answer within ${seconds} s`;
    return { outcome: "no-connection", error: why };
  }
  const field = (re: RegExp) => re.exec(output)?.[1]?.trim();
  return {
    outcome: "connected",
    verifyCode: Number(verify[1]),
    verifyText: verify[2] as string,
    ...optional("subject", field(/^subject=(.*)$/m)),
    ...optional("issuer", field(/^issuer=(.*)$/m)),
    ...optional("notAfter", field(/NotAfter: ([^;\n]*)/)),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** What went wrong in a SIPp run, from its output: the unexpected message it aborted on, or its last error line. */
export function sippTrouble(output: string): string {
  const unexpected = /Aborting call on unexpected message[^\n]*received '([^'\r\n]*)/.exec(output)?.[1];
  if (unexpected) return `unexpected ${unexpected.trim()}`;
  const error = output.split("\n").find((l) => /error|timeout|failed/i.test(l) && !/errors? \(send\/recv/i.test(l));
  return error?.trim().slice(0, 200) ?? "SIPp failed";
}
