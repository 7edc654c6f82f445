import { LabModelError, lit, shown } from "./errors.js";

export interface FloodLimitProps {
  /**
   * Requests one source address may send within `windowSeconds` before it is banned. Kamailio's
   * pike module bans a source somewhere between this number and three times it, by how the burst
   * falls across its sampling windows.
   * @default 64
   */
  readonly requests?: number;
  /**
   * The sampling window, in seconds.
   * @default 2
   */
  readonly windowSeconds?: number;
  /**
   * Seconds a source that exceeded the limit stays banned: every request it sends is dropped,
   * unanswered, until then.
   * @default 60
   */
  readonly banSeconds?: number;
}

/**
 * The anti-flood limit of a SIP server (front end, edge): Kamailio's pike module counts the
 * requests of each source address, and a source over the limit is banned for a while, as in
 * Kamailio's default configuration. The lab's own nodes (UMs, edge, front end) are exempt.
 *
 * The default, 64 requests in 2 s, is far above what any one phone of the lab sends (a register,
 * a call and a subscription together are under 12 requests in 2 s), so that the lab's own checks
 * and benchmark never trip it, and far below a flood's few hundred requests a second.
 */
export class FloodLimit {
  static readonly DEFAULT_REQUESTS = 64;
  static readonly DEFAULT_WINDOW_SECONDS = 2;
  static readonly DEFAULT_BAN_SECONDS = 60;

  static of(props: FloodLimitProps = {}): FloodLimit {
    return new FloodLimit(
      FloodLimit.checked("requests", props.requests ?? FloodLimit.DEFAULT_REQUESTS, 4, 100_000),
      FloodLimit.checked("windowSeconds", props.windowSeconds ?? FloodLimit.DEFAULT_WINDOW_SECONDS, 1, 60),
      FloodLimit.checked("banSeconds", props.banSeconds ?? FloodLimit.DEFAULT_BAN_SECONDS, 1, 86_400),
    );
  }

  private static checked(field: string, value: number, min: number, max: number): number {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new LabModelError(
        lit`FloodLimitInvalid`,
        `floodLimit.${field} ${shown(value)} is invalid; allowed: an integer from ${min} to ${max}`,
      );
    }
    return value;
  }

  private constructor(
    readonly requests: number,
    readonly windowSeconds: number,
    readonly banSeconds: number,
  ) {}

  toString(): string {
    return `${this.requests} requests per ${this.windowSeconds} s, then banned for ${this.banSeconds} s`;
  }
}
