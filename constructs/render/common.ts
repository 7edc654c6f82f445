import { readFileSync } from "node:fs";

/** The Request-URI parameter carrying the hosted voice mail policy's organization (umlab's own syntax). */
export const ROUTING_PARAM_ORG = "umlab-org";

/** One rendered file, its path relative to the node's configuration directory (/etc/umlab). */
export interface RenderedFile {
  readonly path: string;
  readonly content: string | Buffer;
}

/**
 * A configuration file kept as a file beside the renderers (constructs/render/kamailio/...,
 * constructs/render/asterisk/...): the daemons' logic, copied to the nodes as it is.
 */
export function staticConfig(relativePath: string): string {
  return readFileSync(new URL(`./${relativePath}`, import.meta.url), "utf8");
}

/** Quotes a value for a Kamailio config string literal. */
export function sipQuote(value: string): string {
  if (/["\\\r\n]/.test(value)) throw new Error(`value ${JSON.stringify(value)} cannot be written into a Kamailio string`);
  return `"${value}"`;
}

/**
 * A value written bare into a config file (Kamailio's listen= and alias=, rtpengine.conf): an
 * address, a name, a port, or a placeholder the realization fills in (@@EDGE_PUBLIC_IP@@).
 */
export function bareToken(value: string): string {
  if (!/^[A-Za-z0-9@._:-]+$/.test(value)) throw new Error(`value ${JSON.stringify(value)} cannot be written bare into a config file`);
  return value;
}

/**
 * Kamailio pre-processor defines, one per line: a string (quoted), an integer, or `true` for a bare
 * flag tested with `#!ifdef`. A define runs to the end of its line, so no value may hold a line break.
 */
export function renderKamailioDefines(defines: Record<string, string | number | boolean>): string {
  return Object.entries(defines)
    .flatMap(([name, v]) => {
      if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`define name ${JSON.stringify(name)} is invalid`);
      if (v === false) return [];
      if (v === true) return `#!define ${name}`;
      if (typeof v === "number") {
        if (!Number.isInteger(v)) throw new Error(`define ${name}: ${v} is not an integer`);
        return `#!define ${name} ${v}`;
      }
      return `#!define ${name} ${sipQuote(v)}`;
    })
    .join("\n");
}

/** `listen=` lines: proto, address, port and, behind NAT, the address the peers see. */
export function renderKamailioListen(sockets: readonly { proto: string; ip: string; port: number; advertise?: string }[]): string {
  return sockets
    .map((s) => {
      const at = `${bareToken(s.proto)}:${bareToken(s.ip)}:${s.port}`;
      return `listen=${at}${s.advertise ? ` advertise ${bareToken(s.advertise)}:${s.port}` : ""}`;
    })
    .join("\n");
}

/** `alias=` lines: the names and addresses Kamailio treats as itself (`uri == myself`). */
export function renderKamailioAliases(aliases: readonly string[]): string {
  return aliases.map((a) => `alias=${sipQuote(bareToken(a))}`).join("\n");
}

/**
 * Kamailio htable entries set once at start-up, one table per fact. A key may hold ':' (e.g.
 * "udp:10.61.0.20:5060") and a realization's placeholder (@@HOSTED_UM_PUBLIC_IP@@).
 */
export function renderHtableInit(tables: Record<string, readonly (readonly [string, string])[]>): string {
  const lines = Object.entries(tables).flatMap(([table, rows]) =>
    rows.map(([k, v]) => {
      if (!/^[A-Za-z0-9+._:@-]+$/.test(k))
        throw new Error(`htable ${table}: key ${JSON.stringify(k)} cannot be written into a Kamailio config`);
      return `\t$sht(${table}=>${k}) = ${sipQuote(v)};`;
    }),
  );
  return `event_route[htable:mod-init] {\n${lines.join("\n")}\n}`;
}

/** Asterisk variable-name key: letters and digits only (same rule as the dialplan's FILTER). */
export function asteriskKey(value: string): string {
  return value.replace(/[^a-zA-Z0-9]/g, "");
}

/**
 * A value written into an Asterisk .conf file: ';' would start a comment, brackets a section,
 * a line break a new line, '\' an escape. The model's own validation keeps these out; this is
 * the renderer's guard.
 */
export function asteriskValue(value: string): string {
  if (/[;[\]\\\r\n]/.test(value)) throw new Error(`value ${JSON.stringify(value)} cannot be written into an Asterisk config`);
  return value;
}
