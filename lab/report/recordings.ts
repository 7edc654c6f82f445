import type { CheckResult } from "../calls/checks.js";
import { listMessages, readRecording, type VoiceMessage } from "../calls/mailbox.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";

/** A message a deposit check left, with its recording, for the report's audio player and spectrum. */
export type DepositRecording = Pick<VoiceMessage, "node" | "tenant" | "mailbox" | "folder" | "id" | "caller" | "durationSeconds"> & {
  readonly wav: Buffer;
};

/** Where a passed deposit check says its message is: "message msg0000 in onprem-um onprem/1001 INBOX, ...". */
export function depositedMessage(
  r: CheckResult,
): { id: string; node: string; tenant: string; mailbox: string; folder: string } | undefined {
  if (r.result !== "Success") return undefined;
  const m = /^message (\S+) in (\S+) ([^\s/]+)\/(\S+) (\S+),/.exec(r.diagnosis);
  if (!m) return undefined;
  const [, id = "", node = "", tenant = "", mailbox = "", folder = ""] = m;
  return { id, node, tenant, mailbox, folder };
}

/**
 * Keeps the recording of every passed deposit while the checks run: read right after its check,
 * before a later check (subscriber access) moves the message to Old and the UM renumbers it.
 * Hook `observe` into runChecks' onResult, then await `recordings()`.
 */
export class RecordingCollector {
  private readonly pending: Promise<void>[] = [];
  private readonly found = new Map<CheckResult, DepositRecording>();

  constructor(private readonly lab: StartedLocalLab) {}

  readonly observe = (r: CheckResult): void => {
    const where = depositedMessage(r);
    if (where) this.pending.push(this.fetch(r, where).catch(() => {})); // a report without one player is still a report
  };

  private async fetch(r: CheckResult, where: NonNullable<ReturnType<typeof depositedMessage>>): Promise<void> {
    const message = (await listMessages(this.lab, { node: where.node, mailbox: where.mailbox })).find(
      (m) => m.id === where.id && m.tenant === where.tenant && m.folder === where.folder,
    );
    if (!message) return;
    this.found.set(r, {
      ...where,
      caller: message.caller,
      durationSeconds: message.durationSeconds,
      wav: await readRecording(this.lab, message),
    });
  }

  async recordings(): Promise<Map<CheckResult, DepositRecording>> {
    await Promise.all(this.pending);
    return this.found;
  }
}
