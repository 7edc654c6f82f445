import type { DnsRecord, DnsSide, DnsZone } from "../dns.js";
import { bareToken, type RenderedFile } from "./common.js";

/** Where a DNS node's records live, one file per record set, read through dnsmasq's conf-dir. */
export const DNS_RECORDS_DIR = "dns";
/** What the runtime renames a record file to when it takes the record out (dnsmasq reads only *.conf). */
export const REMOVED_SUFFIX = ".removed";

/** The file that holds the records of one owner name (an SRV record alone, so it can be taken out alone). */
export function recordFileOf(fqdn: string): string {
  return `${DNS_RECORDS_DIR}/${bareToken(fqdn)}.conf`;
}

function recordLine(r: DnsRecord): string {
  return r.type === "A"
    ? `host-record=${bareToken(r.fqdn)},${bareToken(r.address)}`
    : `srv-host=${bareToken(r.fqdn)},${bareToken(r.target)},${r.port},${r.priority},${r.weight}`;
}

/**
 * One side's DNS server (dnsmasq): dnsmasq.conf and one file per owner name under dns/. It is
 * authoritative for its zones (a name missing there is NXDOMAIN at once), forwards nothing (the
 * lab's networks have no way out) and logs every query to stderr, the container's log: the proof
 * of who asked what. Its records carry TTL 0 (dnsmasq's default for its own data), so no resolver
 * keeps an answer: a record taken out is gone at the next query.
 */
export function renderDnsmasqFiles(side: DnsSide, zones: readonly DnsZone[]): RenderedFile[] {
  const mine = zones.filter((z) => z.side === side);
  const byOwner = new Map<string, string[]>();
  for (const r of mine.flatMap((z) => z.records)) byOwner.set(r.fqdn, [...(byOwner.get(r.fqdn) ?? []), recordLine(r)]);
  const conf = `# umlab ${side} DNS (dnsmasq). Rendered from the lab model: change the model, not this file.
# Zones: ${mine.map((z) => z.name).join(", ")}. Records: /etc/umlab/${DNS_RECORDS_DIR}/<name>.conf, one file per name.
no-resolv
no-hosts
no-poll
log-queries
log-facility=-
${mine.map((z) => `local=/${bareToken(z.name)}/`).join("\n")}
conf-dir=/etc/umlab/${DNS_RECORDS_DIR},*.conf
`;
  return [
    { path: "dnsmasq.conf", content: conf },
    ...[...byOwner].map(([fqdn, lines]) => ({ path: recordFileOf(fqdn), content: `${lines.join("\n")}\n` })),
  ];
}
