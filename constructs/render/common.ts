/** The Request-URI parameter carrying the hosted voice mail policy's organization (umlab's own syntax). */
export const ROUTING_PARAM_ORG = "umlab-org";

/** Quotes a value for a Kamailio config string literal. */
export function sipQuote(value: string): string {
  if (/["\\\r\n]/.test(value)) throw new Error(`value ${JSON.stringify(value)} cannot be written into a Kamailio string`);
  return `"${value}"`;
}

/** Kamailio htable entries set once at start-up, one table per fact. */
export function renderHtableInit(tables: Record<string, readonly (readonly [string, string])[]>): string {
  const lines = Object.entries(tables).flatMap(([table, rows]) => rows.map(([k, v]) => `\t$sht(${table}=>${k}) = ${sipQuote(v)};`));
  return `event_route[htable:mod-init] {\n${lines.join("\n")}\n}`;
}

/** Asterisk variable-name key: letters and digits only (same rule as the dialplan's FILTER). */
export function asteriskKey(value: string): string {
  return value.replace(/[^a-zA-Z0-9]/g, "");
}
