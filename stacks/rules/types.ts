/** The synthesized Terraform JSON of a stack (cdk.tf.json), as far as the rules read it. */
export interface SynthJson {
  // biome-ignore lint/suspicious/noExplicitAny: Terraform JSON is untyped by nature
  readonly resource?: Record<string, Record<string, any>>;
}

/** One broken rule on one resource. */
export interface Violation {
  readonly rule: string;
  /** resource address, e.g. azurerm_network_security_group.dmz-nsg */
  readonly resource: string;
  readonly message: string;
}

/** A policy rule: a pure function of the synthesized JSON (cdk-nag style). */
export type PolicyRule = (synth: SynthJson) => Violation[];

export interface NsgRule {
  readonly name: string;
  readonly access: string;
  readonly direction: string;
  readonly protocol: string;
  readonly source_address_prefix?: string;
  readonly source_address_prefixes?: readonly string[];
  readonly destination_address_prefix?: string;
  readonly destination_port_range?: string;
}

/** Every resource of one type, with its address. */
// biome-ignore lint/suspicious/noExplicitAny: see SynthJson
export function resources(synth: SynthJson, type: string): [string, any][] {
  return Object.entries(synth.resource?.[type] ?? {}).map(([name, body]) => [`${type}.${name}`, body]);
}

/** Every inbound NSG rule, with the address of its NSG. */
export function nsgRules(synth: SynthJson): [string, NsgRule][] {
  return resources(synth, "azurerm_network_security_group").flatMap(([address, nsg]) =>
    ((nsg.security_rule ?? []) as NsgRule[]).map((r): [string, NsgRule] => [address, r]),
  );
}

/** Azure service tags (and "*") that mean "anyone on the internet". */
const OPEN_TAGS = ["*", "internet", "any"];
/** The widest IPv4 range a source may be and still name somebody: a /8 (the ssh_source_range bound). */
export const WIDEST_IPV4_PREFIX = 8;
/** The same for IPv6: a /32, a whole provider's allocation. */
export const WIDEST_IPV6_PREFIX = 32;

/**
 * Whether an NSG source means anyone on the internet, by the range it covers, not its spelling:
 * "*", Internet, Any, or an address range wider than /8 (0.0.0.0/1 and 128.0.0.0/1 are as open
 * as 0.0.0.0/0; IPv6 wider than /32). A Terraform reference (a public IP, a variable) is checked by
 * the rules that know what it must be.
 */
export function isOpenSource(source: string | undefined): boolean {
  const s = (source ?? "*").trim();
  if (OPEN_TAGS.includes(s.toLowerCase())) return true;
  if (s.startsWith("${")) return false;
  const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(s);
  if (!m) return false;
  const prefix = Number(m[2]);
  return (m[1] as string).includes(":") ? prefix < WIDEST_IPV6_PREFIX : prefix < WIDEST_IPV4_PREFIX;
}

/** Every source a rule names (one prefix, or a list of them). */
export function sourcesOf(r: NsgRule): string[] {
  if (r.source_address_prefixes && r.source_address_prefixes.length > 0) return [...r.source_address_prefixes];
  return [r.source_address_prefix ?? "*"];
}

/** The ports a rule's destination range covers (an inclusive range). */
export function portRange(r: NsgRule): [number, number] | undefined {
  const d = r.destination_port_range;
  if (!d || d === "*") return [0, 65535];
  const [a, b] = d.split("-").map(Number);
  return a === undefined || Number.isNaN(a) ? undefined : [a, b ?? a];
}

/** Inbound Allow rules whose destination ports include `port`, with their NSG's address. */
export function inboundAllowsTo(synth: SynthJson, port: number): [string, NsgRule][] {
  return nsgRules(synth).filter(([, r]) => {
    const range = portRange(r);
    return r.access === "Allow" && r.direction === "Inbound" && range !== undefined && range[0] <= port && port <= range[1];
  });
}
