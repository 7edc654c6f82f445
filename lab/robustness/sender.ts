import { randomBytes } from "node:crypto";
import { pack } from "tar-stream";
import { nodeOf } from "../../constructs/topology.js";
import { dockerApi } from "../runtime/docker.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";

/** A port of one of the lab's servers, as bash's /dev/udp and /dev/tcp reach it. */
export interface SendTarget {
  /** e.g. "front end UDP 10.61.0.10:5060" */
  readonly label: string;
  /** the node that serves it */
  readonly node: string;
  readonly ip: string;
  readonly port: number;
  /** TLS ports are reached over TCP: what arrives there is the test */
  readonly proto: "udp" | "tcp";
}

export interface Outgoing {
  readonly bytes: Buffer;
  /** seconds the connection stays open after the bytes (a half handshake, a half message) */
  readonly holdSeconds?: number;
}

export interface SendOptions {
  /** messages a second at most (the lab's flood limit bans a faster source) */
  readonly ratePerSecond: number;
  /** seconds to wait for the first line of an answer to each message; 0 sends without listening */
  readonly replySeconds?: number;
  /** read an answer's first line (SIP), or its first bytes in hex (a TLS record). @default "line" */
  readonly replyAs?: "line" | "hex";
}

export interface SendResult {
  readonly sent: number;
  readonly bytes: number;
  readonly seconds: number;
  /** with replySeconds: the first line of each message's answer, "" for none */
  readonly replies: string[];
}

/**
 * Sends each message on a socket of its own (a datagram, or a connection) with bash's /dev/udp and
 * /dev/tcp, paced to the rate, optionally reading the first line of the answer. Runs in the sending
 * container: the traffic stays on the lab's own networks, from a lab address.
 */
const SEND_SCRIPT = `#!/bin/bash
cd "$1" || exit 2
ip=$2 port=$3 proto=$4 gap=$5 wait=$6 as=$7
one() {
  { exec 3<>"/dev/$proto/$ip/$port"; } 2>/dev/null || { [ "$wait" != 0 ] && echo "R $1 (refused)"; return 0; }
  cat "$1" >&3 2>/dev/null
  if [ "$wait" != 0 ]; then
    if [ "$as" = hex ]; then r=$(timeout "$wait" head -c 8 <&3 2>/dev/null | od -An -tx1 | tr -s ' \\n' ' ')
    else r=$(timeout "$wait" head -n1 <&3 2>/dev/null | tr -d '\\r\\000'); fi
    echo "R $1 $r"
  fi
  [ "$2" != 0 ] && sleep "$2"
  exec 3>&-
}
n=0
for f in m/*; do
  h=\${f##*-h}; h=\${h%.bin}
  if [ "$h" != 0 ]; then one "$f" "$h" & else one "$f" 0; fi
  n=$((n + 1))
  sleep "$gap"
done
wait
echo "SENT $n"
`;

/** A tar archive of the batch (messages numbered in order) and the script, under `dir`. */
async function batchArchive(dir: string, messages: readonly Outgoing[]): Promise<Buffer> {
  const p = pack();
  p.entry({ name: `${dir}/send.sh`, mode: 0o755 }, SEND_SCRIPT);
  messages.forEach((m, i) => {
    p.entry({ name: `${dir}/m/${String(i).padStart(6, "0")}-h${m.holdSeconds ?? 0}.bin`, mode: 0o644 }, m.bytes);
  });
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Sends `messages` from `fromNode` to `target`, paced, and reports what went out (and came back). */
export async function sendFrom(
  lab: StartedLocalLab,
  fromNode: string,
  target: SendTarget,
  messages: readonly Outgoing[],
  options: SendOptions,
): Promise<SendResult> {
  if (messages.length === 0) return { sent: 0, bytes: 0, seconds: 0, replies: [] };
  const dir = `umlab-robustness-${randomBytes(4).toString("hex")}`;
  const container = nodeOf(lab.topology, fromNode).container;
  await (await dockerApi()).getContainer(container).putArchive(await batchArchive(dir, messages), { path: "/tmp" });
  const gap = (1 / options.ratePerSecond).toFixed(3);
  const wait = String(options.replySeconds ?? 0);
  const hold = Math.max(0, ...messages.map((m) => m.holdSeconds ?? 0));
  // Bounded whatever the servers do: every message's pace, wait and hold, plus a margin.
  const bound = Math.ceil(messages.length * (Number(gap) + Number(wait) + 0.05) + hold + 15);
  const started = Date.now();
  const r = await lab.exec(fromNode, [
    "timeout",
    String(bound),
    "bash",
    `/tmp/${dir}/send.sh`,
    `/tmp/${dir}`,
    target.ip,
    String(target.port),
    target.proto,
    gap,
    wait,
    options.replyAs ?? "line",
  ]);
  const seconds = (Date.now() - started) / 1000;
  await lab.exec(fromNode, ["rm", "-rf", `/tmp/${dir}`]);
  const sent = Number(/^SENT (\d+)$/m.exec(r.output)?.[1] ?? -1);
  if (sent !== messages.length) {
    throw new Error(
      `${target.label}: the sender in ${fromNode} stopped after ${sent < 0 ? "?" : sent} of ${messages.length} messages (exit ${r.exitCode}): ${r.output.slice(-300)}`,
    );
  }
  const replies = messages.map(() => "");
  for (const m of r.output.matchAll(/^R m\/(\d{6})-h[\d.]+\.bin ?(.*)$/gm)) replies[Number(m[1])] = (m[2] ?? "").trim();
  return { sent, bytes: messages.reduce((n, m) => n + m.bytes.length, 0), seconds, replies };
}
