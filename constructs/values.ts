import { LabModelError, lit, shown } from "./errors.js";

const FQDN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Checks a fully qualified domain name (lowercase, at least two labels). */
export function assertFqdn(field: string, value: string): string {
  if (typeof value !== "string" || !FQDN.test(value)) {
    throw new LabModelError(
      lit`FqdnInvalid`,
      `${field} ${shown(value)} is not a valid domain name; allowed: lowercase labels of letters, digits and '-', separated by dots, e.g. "contoso.test"`,
    );
  }
  return value;
}

export type Transport = "udp" | "tcp" | "tls";

/** A transport port or port range, as in aws-cdk's `Port`: one fact used by configs and firewalls. */
export class Port {
  static udp(port: number): Port {
    return new Port("udp", port, port);
  }
  static tcp(port: number): Port {
    return new Port("tcp", port, port);
  }
  /** SIP over TLS: a TCP port, marked so that renderers know to wrap it in TLS. */
  static tls(port: number): Port {
    return new Port("tls", port, port);
  }
  static udpRange(from: number, to: number): Port {
    return new Port("udp", from, to);
  }

  private constructor(
    readonly transport: Transport,
    readonly from: number,
    readonly to: number,
  ) {
    for (const p of [from, to]) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) {
        throw new LabModelError(lit`PortInvalid`, `port ${shown(p)} is invalid; allowed: an integer from 1 to 65535`);
      }
    }
    if (from > to) {
      throw new LabModelError(lit`PortRangeEmpty`, `port range ${from}-${to} is empty; allowed: from <= to`);
    }
  }

  get isRange(): boolean {
    return this.from !== this.to;
  }

  /** The IP protocol a firewall sees (TLS runs over TCP). */
  get ipProtocol(): "udp" | "tcp" {
    return this.transport === "udp" ? "udp" : "tcp";
  }

  toString(): string {
    return this.isRange ? `${this.transport}/${this.from}-${this.to}` : `${this.transport}/${this.from}`;
  }
}

/** An IPv4 network in CIDR notation. */
export class Cidr {
  static of(field: string, text: string): Cidr {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text ?? "");
    const octets = m ? m.slice(1, 5).map(Number) : [];
    const prefix = m ? Number(m[5]) : -1;
    if (!m || octets.some((o) => o > 255) || prefix < 16 || prefix > 24) {
      throw new LabModelError(
        lit`CidrInvalid`,
        `${field} ${shown(text)} is not a valid network; allowed: an IPv4 CIDR with a prefix from /16 to /24 (phones sit at host 100 and up), e.g. "10.61.0.0/24"`,
      );
    }
    const base = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    if (base % size !== 0) {
      throw new LabModelError(
        lit`CidrHostBitsSet`,
        `${field} ${shown(text)} has host bits set; allowed: a network address such as "${Cidr.format(base - (base % size))}/${prefix}"`,
      );
    }
    return new Cidr(base, prefix);
  }

  /** Any IPv4 CIDR (e.g. a Docker network's subnet), or undefined; the network address is taken as given. */
  static parse(text: string): Cidr | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text ?? "");
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const size = 2 ** (32 - prefix);
    const base = octets.reduce((acc, o) => acc * 256 + o, 0);
    return new Cidr(base - (base % size), prefix);
  }

  private constructor(
    private readonly base: number,
    readonly prefix: number,
  ) {}

  get size(): number {
    return 2 ** (32 - this.prefix);
  }

  /** The address of host number `n` in this network (1 is the gateway Docker and Azure keep). */
  host(n: number): string {
    if (!Number.isInteger(n) || n < 1 || n >= this.size - 1) {
      throw new LabModelError(lit`CidrHostOutOfRange`, `host number ${shown(n)} does not fit in ${this}; allowed: 1 to ${this.size - 2}`);
    }
    return Cidr.format(this.base + n);
  }

  /** The network `k` networks of the same size further on (a local run uses it to find free subnets). */
  shifted(k: number): Cidr {
    const base = this.base + k * this.size;
    if (!Number.isInteger(k) || base < 0 || base + this.size > 2 ** 32) {
      throw new LabModelError(
        lit`CidrShiftOutOfRange`,
        `network ${this} cannot be shifted by ${shown(k)}; allowed: a shift that stays inside IPv4`,
      );
    }
    return new Cidr(base, this.prefix);
  }

  /** Whether an IPv4 address lies in this network. */
  contains(ip: string): boolean {
    const parts = ip.split(".").map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return false;
    const n = parts.reduce((acc, o) => acc * 256 + o, 0);
    return n >= this.base && n < this.base + this.size;
  }

  overlaps(other: Cidr): boolean {
    const aEnd = this.base + this.size;
    const bEnd = other.base + other.size;
    return this.base < bEnd && other.base < aEnd;
  }

  toString(): string {
    return `${Cidr.format(this.base)}/${this.prefix}`;
  }

  private static format(n: number): string {
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
  }
}
