import { Construct } from "constructs";
import { LabModelError, lit, shown } from "./errors.js";
import { FloodLimit } from "./flood-limit.js";
import type { UmLab } from "./lab.js";
import { assertFqdn, Port } from "./values.js";

export interface FrontEndProps {
  /**
   * The front end pool's FQDN.
   * @default "pool.<sipDomain>"
   */
  readonly fqdn?: string;
  /**
   * Seconds a registered phone rings before the call is diverted to voice mail.
   * @default 8
   */
  readonly noAnswerSeconds?: number;
  /**
   * The anti-flood limit per source address (the UMs and the edge are exempt).
   * @default FloodLimit.of() — 64 requests in 2 s, then banned for 60 s
   */
  readonly floodLimit?: FloodLimit;
  /**
   * Contacts one user may have registered at once (the registrar's max_contacts); one more is
   * refused with 503. A phone and a soft phone of the same user need two.
   * @default 4
   */
  readonly maxContactsPerUser?: number;
}

/** The Lync front end pool: registrar with digest auth, proxy, and the ExUM routing (Kamailio). */
export class FrontEnd extends Construct {
  /** SIP from phones, UMs and the edge, inside the corporate network. */
  static readonly SIP = Port.udp(5060);
  static readonly SIP_TCP = Port.tcp(5060);

  readonly fqdn: string;
  readonly noAnswerSeconds: number;
  readonly floodLimit: FloodLimit;
  readonly maxContactsPerUser: number;

  constructor(scope: UmLab, id: string, props: FrontEndProps = {}) {
    super(scope, id);
    this.fqdn = assertFqdn("frontEnd.fqdn", props.fqdn ?? `pool.${scope.sipDomain}`);
    this.noAnswerSeconds = props.noAnswerSeconds ?? 8;
    if (!Number.isInteger(this.noAnswerSeconds) || this.noAnswerSeconds < 2 || this.noAnswerSeconds > 120) {
      throw new LabModelError(
        lit`NoAnswerSecondsInvalid`,
        `frontEnd.noAnswerSeconds ${shown(props.noAnswerSeconds)} is invalid; allowed: an integer from 2 to 120`,
      );
    }
    this.floodLimit = props.floodLimit ?? FloodLimit.of();
    this.maxContactsPerUser = props.maxContactsPerUser ?? 4;
    if (!Number.isInteger(this.maxContactsPerUser) || this.maxContactsPerUser < 1 || this.maxContactsPerUser > 100) {
      throw new LabModelError(
        lit`MaxContactsInvalid`,
        `frontEnd.maxContactsPerUser ${shown(props.maxContactsPerUser)} is invalid; allowed: an integer from 1 to 100`,
      );
    }
  }
}
