import { Construct, type IConstruct } from "constructs";
import { ExUmContact } from "./contact.js";
import { KamailioEdge } from "./edge.js";
import { addModelValidation, LabModelError, lit, type Problem, shown, validationProblems } from "./errors.js";
import { FrontEnd } from "./front-end.js";
import { OnPremUm } from "./onprem-um.js";
import { HostedVoicemailPolicy } from "./policy.js";
import { HostedUm, HostingProvider } from "./provider.js";
import { User } from "./user.js";
import { assertFqdn, Cidr } from "./values.js";

/** The three ways Lync 2013 integrates with Exchange UM: one switch on one model. */
export type DeploymentMode = "on-premises" | "cross-premises" | "mixed";
export const DEPLOYMENT_MODES: readonly DeploymentMode[] = ["on-premises", "cross-premises", "mixed"];

export interface AddressPlanProps {
  /**
   * The corporate network: front end, on-prem UM, phones, the edge's internal side.
   * @default "10.61.0.0/24"
   */
  readonly corp?: string;
  /**
   * The provider's network: hosted UM and the edge's external side.
   * @default "10.62.0.0/24"
   */
  readonly provider?: string;
  /**
   * Azure only: the DMZ subnet of the enterprise VNet, where the edge's external NIC and its
   * public address live (an Azure VM's NICs all sit in one VNet).
   * @default "10.63.0.0/24"
   */
  readonly dmz?: string;
}

/** Where the lab's two networks are. Azure uses it as is; a local run may move it to free subnets. */
export class AddressPlan {
  readonly corp: Cidr;
  readonly provider: Cidr;
  readonly dmz: Cidr;

  constructor(props: AddressPlanProps = {}) {
    this.corp = Cidr.of("addressPlan.corp", props.corp ?? "10.61.0.0/24");
    this.provider = Cidr.of("addressPlan.provider", props.provider ?? "10.62.0.0/24");
    this.dmz = Cidr.of("addressPlan.dmz", props.dmz ?? "10.63.0.0/24");
    this.checkDisjoint();
  }

  /** The same plan moved `k` networks further on, for a local run whose subnets are taken. */
  shifted(k: number): AddressPlan {
    return new AddressPlan({
      corp: this.corp.shifted(k).toString(),
      provider: this.provider.shifted(k).toString(),
      dmz: this.dmz.shifted(k).toString(),
    });
  }

  private checkDisjoint(): void {
    const nets: [string, Cidr][] = [
      ["corp", this.corp],
      ["provider", this.provider],
      ["dmz", this.dmz],
    ];
    for (const [i, [a, ca]] of nets.entries()) {
      for (const [b, cb] of nets.slice(i + 1)) {
        if (ca.overlaps(cb)) {
          throw new LabModelError(
            lit`AddressPlanOverlap`,
            `addressPlan.${b} ${shown(cb.toString())} overlaps addressPlan.${a} ${shown(ca.toString())}; allowed: disjoint networks`,
          );
        }
      }
    }
  }
}

export interface UmLabProps {
  /** Which integration the lab reproduces; decides which roles must and must not exist. */
  readonly mode: DeploymentMode;
  /** The SIP domain users live in; shared with the provider in cross-premises and mixed modes (split domain). */
  readonly sipDomain: string;
  /** @default corp 10.61.0.0/24, provider 10.62.0.0/24 */
  readonly addressPlan?: AddressPlanProps;
}

/** The root of a lab model: one mode, one SIP domain, the roles and the users. */
const UM_LAB = Symbol.for("umlab.UmLab");

export class UmLab extends Construct {
  /** True for a UmLab, also one built by another copy of this module (a lab file's own import). */
  static isUmLab(x: unknown): x is UmLab {
    return typeof x === "object" && x !== null && UM_LAB in x;
  }

  static of(construct: IConstruct): UmLab {
    const root = construct.node.root;
    if (!UmLab.isUmLab(root)) {
      throw new LabModelError(
        lit`NotInUmLab`,
        `${construct.node.path || "construct"} is not inside a UmLab; allowed: constructs created with a UmLab as scope`,
      );
    }
    return root;
  }

  readonly mode: DeploymentMode;
  readonly sipDomain: string;
  readonly addressPlan: AddressPlan;

  constructor(scope: Construct | undefined, id: string, props: UmLabProps) {
    // biome-ignore lint/suspicious/noExplicitAny: a root construct has no scope (constructs' own convention)
    super(scope as any, id);
    Object.defineProperty(this, UM_LAB, { value: true });
    if (!DEPLOYMENT_MODES.includes(props.mode)) {
      throw new LabModelError(
        lit`LabModeInvalid`,
        `mode ${shown(props.mode)} is invalid; allowed: ${DEPLOYMENT_MODES.map((m) => `"${m}"`).join(", ")}`,
      );
    }
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(id)) {
      throw new LabModelError(
        lit`LabIdInvalid`,
        `lab id ${shown(id)} is invalid; allowed: 1 to 31 lowercase letters, digits or '-', starting with a letter`,
      );
    }
    this.mode = props.mode;
    this.sipDomain = assertFqdn("sipDomain", props.sipDomain);
    this.addressPlan = new AddressPlan(props.addressPlan);
    addModelValidation(this, () => this.checkRoles());
  }

  get users(): User[] {
    return this.node.children.filter((c): c is User => c instanceof User);
  }
  get contacts(): ExUmContact[] {
    return this.node.children.filter((c): c is ExUmContact => c instanceof ExUmContact);
  }
  get policies(): HostedVoicemailPolicy[] {
    return this.node.children.filter((c): c is HostedVoicemailPolicy => c instanceof HostedVoicemailPolicy);
  }
  get frontEnd(): FrontEnd | undefined {
    return this.only(FrontEnd);
  }
  get onPremUm(): OnPremUm | undefined {
    return this.only(OnPremUm);
  }
  get edge(): KamailioEdge | undefined {
    return this.only(KamailioEdge);
  }
  get hostingProvider(): HostingProvider | undefined {
    return this.only(HostingProvider);
  }
  get hostedUm(): HostedUm | undefined {
    return this.only(HostedUm);
  }

  /** True when the mode needs the provider side (edge, hosting provider, hosted UM). */
  get usesProvider(): boolean {
    return this.mode !== "on-premises";
  }

  /**
   * Checks the whole tree and throws one LabModelError listing every problem.
   * Nothing may be started or synthesized from a model that fails here.
   */
  validateModel(): this {
    const problems = this.node.findAll().flatMap(validationProblems);
    if (problems.length > 0) {
      const list = problems.map((p) => `  - ${p.message}`).join("\n");
      throw new LabModelError(lit`LabModelInvalid`, `lab ${shown(this.node.id)} is invalid:\n${list}`, problems);
    }
    return this;
  }

  // biome-ignore lint/suspicious/noExplicitAny: constructor of any construct class
  private only<T>(type: new (...args: any[]) => T): T | undefined {
    return this.node.children.find((c): c is T & Construct => c instanceof type) as T | undefined;
  }

  private checkRoles(): Problem[] {
    const problems: Problem[] = [];
    const roles: [string, boolean, Function][] = [
      ["FrontEnd", true, FrontEnd],
      ["OnPremUm", this.mode !== "cross-premises", OnPremUm],
      ["KamailioEdge", this.usesProvider, KamailioEdge],
      ["HostingProvider", this.usesProvider, HostingProvider],
      ["HostedUm", this.usesProvider, HostedUm],
    ];
    const mode = shown(this.mode);
    for (const [name, needed, type] of roles) {
      const count = this.node.children.filter((c) => c instanceof type).length;
      if (needed && count === 0) problems.push({ code: lit`RoleMissing`, message: `mode ${mode} needs a ${name}; none was added` });
      if (!needed && count > 0)
        problems.push({ code: lit`RoleNotInMode`, message: `mode ${mode} has no ${name}; remove it (allowed roles follow the mode)` });
      if (count > 1) problems.push({ code: lit`RoleDuplicated`, message: `${name} appears ${count} times; allowed: one per lab` });
    }
    if (this.users.length === 0)
      problems.push({ code: lit`LabWithoutUsers`, message: "users: the lab has none; allowed: at least one User" });
    return [...problems, ...this.checkUserKeys(), ...this.checkDisplayNumbers(), ...this.checkSipUsersAgainstNumbers()];
  }

  /**
   * The front end looks a dialled Request-URI user up as an extension, a contact's number or a SIP
   * user in one key space: a SIP user part equal to another user's extension or to a contact's
   * number would take that number's routing entry (or lose its own) without a word.
   */
  private checkSipUsersAgainstNumbers(): Problem[] {
    const problems: Problem[] = [];
    for (const u of this.users) {
      const owners = [
        ...this.users.filter((o) => o !== u && o.extension === u.sipUser).map((o) => `the extension of user ${shown(o.name)}`),
        ...this.contacts.filter((c) => c.displayNumber === u.sipUser).map((c) => `the number of contact ${shown(c.node.id)}`),
      ];
      for (const owner of owners)
        problems.push({
          code: lit`SipUserClashesWithNumber`,
          message: `user ${shown(u.name)}: SIP user ${shown(u.sipUser)} is ${owner}; allowed: a SIP user part that is no other user's extension and no contact's number`,
        });
    }
    return problems;
  }

  private checkUserKeys(): Problem[] {
    const problems: Problem[] = [];
    // SIP URIs are unique in the lab. Extensions are unique within a mailbox scope (the on-prem UM,
    // or one hosted tenant): two tenants may use the same numbers, dialled by name then.
    const seen = new Map<string, string>();
    for (const u of this.users) {
      const scope = u.mailbox === "hosted" ? `tenant ${u.tenant ?? "?"}` : "on-premises";
      for (const [field, code, key, value] of [
        ["extension", lit`DuplicateExtension`, `extension:${scope}:${u.extension}`, u.extension],
        ["sipUri", lit`DuplicateSipUri`, `sipUri:${u.sipUri}`, u.sipUri],
      ] as const) {
        const other = seen.get(key);
        if (other)
          problems.push({
            code,
            message: `user ${shown(u.name)}: ${field} ${shown(value)} is already used by user ${shown(other)}${field === "extension" ? ` (${scope})` : ""}; allowed: unique values`,
          });
        else seen.set(key, u.name);
      }
    }
    // The UMs find a mailbox by the SIP user part with punctuation removed (Asterisk variable names).
    const keys = new Map<string, string>();
    for (const u of this.users) {
      const key = `${u.mailbox === "hosted" ? u.tenant : "on-premises"}:${u.sipUser.replace(/[^a-zA-Z0-9]/g, "")}`;
      const other = keys.get(key);
      if (other)
        problems.push({
          code: lit`IndistinguishableSipUser`,
          message: `user ${shown(u.name)}: SIP user ${shown(u.sipUser)} is indistinguishable from user ${shown(other)}'s once punctuation is removed; allowed: user parts that differ in letters or digits`,
        });
      else keys.set(key, u.name);
    }
    return problems;
  }

  private checkDisplayNumbers(): Problem[] {
    const problems: Problem[] = [];
    const numbers = new Map<string, string>();
    for (const u of this.users) numbers.set(u.extension, `user ${shown(u.name)}`);
    for (const c of this.contacts) {
      const other = numbers.get(c.displayNumber);
      if (other)
        problems.push({
          code: lit`DuplicateDisplayNumber`,
          message: `contact ${shown(c.node.id)}: displayNumber ${shown(c.displayNumber)} is already used by ${other}; allowed: a number no user or contact has`,
        });
      else numbers.set(c.displayNumber, `contact ${shown(c.node.id)}`);
    }
    return problems;
  }
}
