import { ExitCode, lit } from "../../../constructs/errors.js";
import { UsageError } from "../../../nodes/usage-error.js";
import { listMessages } from "../../calls/mailbox.js";
import { StartedLocalLab } from "../../runtime/local-lab.js";
import { instanceName } from "../command.js";
import { out } from "../io.js";

/**
 * A value from a mailbox (a caller ID is whatever the caller's From header said) made safe for a
 * terminal: control characters (C0, DEL, C1), bidirectional overrides and backslashes are written
 * as escapes, so that a caller cannot move the cursor, recolour or rewrite what `umlab mailbox` shows.
 */
export function escapeControls(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  return text.replace(/[\\\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === "\\") return "\\\\";
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

export async function run({
  values,
  positionals,
}: {
  values: { instance?: string; json?: boolean };
  positionals: readonly string[];
}): Promise<number> {
  const instance = instanceName(values.instance);
  const name = positionals[0];
  if (!name) throw new UsageError(lit`ArgumentMissing`, "mailbox needs a user name or extension, e.g. umlab mailbox alice");
  const lab = await StartedLocalLab.attach(instance);
  const user = lab.topology.users.find((u) => u.name === name || u.extension === name);
  if (!user) {
    throw new UsageError(
      lit`UserUnknown`,
      `no user ${JSON.stringify(name)} in lab ${instance}; users: ${lab.topology.users.map((u) => u.name).join(", ")}`,
    );
  }
  const tenant = user.mailbox === "hosted" ? user.tenant : "onprem";
  const messages = (await listMessages(lab, { node: user.mailboxNode, mailbox: user.extension })).filter((m) => m.tenant === tenant);
  if (values.json) {
    out(JSON.stringify({ user: user.name, extension: user.extension, node: user.mailboxNode, tenant, messages }, null, 2));
    return ExitCode.ok;
  }
  const where = user.mailbox === "hosted" ? `tenant ${tenant}` : "on-premises";
  out(`${user.name} (${user.extension}): mailbox on ${user.mailboxNode}, ${where}; ${messages.length} message(s)`);
  for (const m of messages)
    out(
      `  ${m.folder.padEnd(6)} ${m.id}  from ${escapeControls(m.caller).padEnd(10)} ${String(m.durationSeconds).padStart(3)} s  ${m.receivedAt}`,
    );
  return ExitCode.ok;
}
