import { LabModelError, lit, shown } from "./errors.js";

/** What a UM's mailboxes hold (Exchange UM: the mailbox quota and the longest message). */
export interface MailboxLimitsProps {
  /**
   * Messages one mailbox holds. A caller to a full mailbox hears that it is full, and the UM hangs
   * up (Asterisk's voicemail `maxmsg`).
   * @default 100
   */
  readonly maxMessages?: number;
  /**
   * The longest message, in seconds: when a caller reaches it the UM keeps what was recorded and
   * hangs up (Asterisk's voicemail `maxsecs`).
   * @default 120
   */
  readonly maxMessageSeconds?: number;
}

export interface MailboxLimits {
  readonly maxMessages: number;
  readonly maxMessageSeconds: number;
}

const LIMITS = {
  // Asterisk's voicemail keeps at most 9999 messages per folder.
  maxMessages: { min: 1, max: 9999, default: 100, unit: "messages per mailbox" },
  // Asterisk drops a message shorter than its minsecs (1 s): the longest must be above it.
  maxMessageSeconds: { min: 2, max: 3600, default: 120, unit: "seconds" },
} as const;

/** Checks a UM's mailbox limits; `prefix` names the UM in messages, e.g. "hostedUm". */
export function mailboxLimits(prefix: string, props: MailboxLimitsProps): MailboxLimits {
  const checked = (field: keyof typeof LIMITS): number => {
    const rule = LIMITS[field];
    const value = props[field] ?? rule.default;
    if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
      throw new LabModelError(
        lit`MailboxLimitInvalid`,
        `${prefix}.${field} ${shown(props[field])} is invalid; allowed: an integer from ${rule.min} to ${rule.max} (${rule.unit})`,
      );
    }
    return value;
  };
  return { maxMessages: checked("maxMessages"), maxMessageSeconds: checked("maxMessageSeconds") };
}
