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

/** Sources that mean "anyone on the internet". */
export const OPEN_SOURCES = ["*", "0.0.0.0/0", "Internet", "Any", "any", "internet"];

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
