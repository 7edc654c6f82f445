import { nodeOf, type TopologyUser } from "../../constructs/topology.js";
import { umNodes } from "../../nodes/kinds.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";

const SPOOL = "/var/spool/asterisk/voicemail";

export interface VoiceMessage {
  /** the UM node holding it */
  readonly node: string;
  /** voice-mail context: "onprem", or the hosted tenant */
  readonly tenant: string;
  readonly mailbox: string;
  readonly folder: string;
  readonly id: string;
  readonly caller: string;
  readonly durationSeconds: number;
  readonly receivedAt: string;
  /** path of the recording in the UM container */
  readonly recording: string;
}

/**
 * Every message in the UMs of a running lab, read from Asterisk's spool (the .txt metadata next to
 * each recording). Optionally only those of one mailbox number.
 */
export async function listMessages(lab: StartedLocalLab, filter: { mailbox?: string; node?: string } = {}): Promise<VoiceMessage[]> {
  const out: VoiceMessage[] = [];
  for (const node of umNodes(lab.topology.nodes)) {
    if (filter.node && node.name !== filter.node) continue;
    // One shell pass prints each metadata file with a header line: cheaper than one exec per message.
    const script = `cd ${SPOOL} 2>/dev/null || exit 0; for f in */*/*/msg*.txt; do [ -f "$f" ] || continue; echo "=== $f"; cat "$f"; done`;
    // A UM stopped by `umlab fault` keeps its spool, but it cannot be read until the UM runs again.
    const r = await lab.exec(node.name, ["sh", "-c", script]).catch((err: { statusCode?: number }) => {
      if (err.statusCode === 409) return undefined;
      throw err;
    });
    if (!r) continue;
    for (const block of r.output.split("=== ").slice(1)) {
      const [path = "", ...lines] = block.split("\n");
      const [tenant = "", mailbox = "", folder = "", file = ""] = path.trim().split("/");
      if (filter.mailbox && mailbox !== filter.mailbox) continue;
      const kv = Object.fromEntries(
        lines
          .map((l) => l.split("="))
          .filter((p) => p.length >= 2)
          .map(([k, ...v]) => [k, v.join("=")]),
      );
      const id = file.replace(/\.txt$/, "");
      out.push({
        node: node.name,
        tenant,
        mailbox,
        folder,
        id,
        caller: kv.callerid ?? "",
        durationSeconds: Number(kv.duration ?? 0),
        receivedAt: kv.origtime ? new Date(Number(kv.origtime) * 1000).toISOString() : "",
        recording: `${SPOOL}/${tenant}/${mailbox}/${folder}/${id}.wav`,
      });
    }
  }
  return out.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.id.localeCompare(b.id));
}

/** The messages of one user, from whichever UM holds them. */
export async function userMessages(lab: StartedLocalLab, user: TopologyUser): Promise<VoiceMessage[]> {
  return listMessages(lab, { mailbox: user.extension });
}

/** A recording's bytes, read out of the UM container. */
export async function readRecording(lab: StartedLocalLab, message: VoiceMessage): Promise<Buffer> {
  const r = await lab.exec(message.node, ["base64", "-w0", message.recording]);
  if (r.exitCode !== 0) throw new Error(`cannot read ${message.recording} on ${message.node}: ${r.output}`);
  return Buffer.from(r.output.trim(), "base64");
}

/** Lines of a UM's log (the rendered dialplan writes umlab-... lines) that contain `needle`. */
export async function umLogLines(lab: StartedLocalLab, node: string, needle: string): Promise<string[]> {
  nodeOf(lab.topology, node);
  const r = await lab.exec(node, ["grep", "-F", needle, "/var/log/asterisk/messages.log"]).catch((err: { statusCode?: number }) => {
    if (err.statusCode === 409) return { output: "" }; // a UM stopped by `umlab fault`
    throw err;
  });
  return r.output.split("\n").filter((l) => l.includes(needle));
}
