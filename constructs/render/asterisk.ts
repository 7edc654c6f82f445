import { ExUmContact } from "../contact.js";
import { LabModelError, lit, shown } from "../errors.js";
import { FrontEnd } from "../front-end.js";
import type { UmLab } from "../lab.js";
import type { MailboxLimits } from "../mailbox-limits.js";
import { OnPremUm } from "../onprem-um.js";
import { HostedUm } from "../provider.js";
import { addressOf, nodeOf, type Topology } from "../topology.js";
import type { User } from "../user.js";
import type { Port } from "../values.js";
import { asteriskKey, asteriskValue, ROUTING_PARAM_ORG, staticConfig } from "./common.js";
import { PROVIDER_PROXY_LOOPBACK } from "./kamailio-provider-proxy.js";

export type UmRole = "onprem-um" | "hosted-um";

/**
 * Asterisk files kept as files (constructs/render/asterisk/), the same on both UMs: whole files,
 * and the logic that the files rendered from the model `#include` (dialplan, PJSIP templates,
 * voice-mail options).
 */
const STATIC_FILES = [
  "modules.conf",
  "logger.conf",
  "umlab-dialplan.conf",
  "umlab-pjsip-templates.conf",
  "umlab-voicemail-options.conf",
] as const;

interface UmView {
  readonly role: UmRole;
  readonly fqdn: string;
  readonly rtp: Port;
  readonly limits: MailboxLimits;
  /**
   * The one SIP peer, requests come from it and go to it (its outbound proxy): on premises the
   * front end; hosted, the provider's SIP proxy in the same node, on loopback, which terminates the
   * federation's mutual TLS and finds the edge of a domain by its `_sipfederationtls._tcp` SRV record.
   */
  readonly peerIp: string;
  readonly peerPort: number;
  /** Where the UM's SIP listens (UDP). */
  readonly bind: string;
  /** The host part of the peer's AOR contact: the front end, or the shared SIP domain (never the edge's name). */
  readonly peerContact: string;
  readonly users: readonly User[];
  /** voice-mail context of a user: "onprem", or the hosted tenant */
  readonly contextOf: (u: User) => string;
  readonly contacts: readonly ExUmContact[];
  readonly sipDomain: string;
  /**
   * Hosted: where the edge's media relay sends RTP, while Asterisk's SIP stays on loopback: SDP
   * names the UM's own address, and on Azure its public one (NAT).
   */
  readonly media?: { readonly address: string; readonly publicAddress?: string | undefined };
}

function viewOf(lab: UmLab, topology: Topology, role: UmRole): UmView {
  if (role === "onprem-um") {
    const um = lab.onPremUm;
    if (!um) throw new Error("the lab has no OnPremUm");
    return {
      role,
      fqdn: um.fqdn,
      rtp: um.rtpPorts,
      limits: um.mailboxLimits,
      peerIp: addressOf(topology, "frontend", "corp"),
      peerPort: FrontEnd.SIP.from,
      bind: `0.0.0.0:${OnPremUm.SIP.from}`,
      peerContact: `${addressOf(topology, "frontend", "corp")}:${FrontEnd.SIP.from}`,
      users: lab.users.filter((u) => u.mailbox === "on-premises"),
      contextOf: () => OnPremUm.CONTEXT,
      contacts: lab.contacts.filter((c) => c.location === "on-premises"),
      sipDomain: lab.sipDomain,
    };
  }
  const um = lab.hostedUm;
  if (!um) throw new Error("the lab has no HostedUm");
  return {
    role,
    fqdn: um.fqdn,
    rtp: um.rtpPorts,
    limits: um.mailboxLimits,
    peerIp: PROVIDER_PROXY_LOOPBACK.address,
    peerPort: PROVIDER_PROXY_LOOPBACK.proxy.from,
    bind: `${PROVIDER_PROXY_LOOPBACK.address}:${PROVIDER_PROXY_LOOPBACK.um.from}`,
    peerContact: lab.sipDomain,
    users: lab.users.filter((u) => u.mailbox === "hosted"),
    contextOf: (u) => u.tenant ?? lab.sipDomain,
    contacts: lab.contacts.filter((c) => c.location === "hosted"),
    sipDomain: lab.sipDomain,
    media: { address: addressOf(topology, "hosted-um", "provider"), publicAddress: nodeOf(topology, "hosted-um").publicAddress },
  };
}

/**
 * Every Asterisk file of one UM, by file name (installed into /etc/asterisk): the static files as
 * they are, and the files Asterisk opens (pjsip.conf, extensions.conf, voicemail.conf, rtp.conf),
 * rendered from the model's data; each of the first three includes its static logic.
 */
export function renderAsteriskConfig(lab: UmLab, topology: Topology, role: UmRole): Record<string, string> {
  const um = viewOf(lab, topology, role);
  const head = `; umlab ${role} ${um.fqdn} (mode ${lab.mode}). Rendered from the lab model: change the model, not this file.\n`;
  const files: Record<string, string> = {};
  for (const name of STATIC_FILES) files[name] = staticConfig(`asterisk/${name}`);
  return {
    ...files,
    "rtp.conf": `${head}[general]\nrtpstart=${um.rtp.from}\nrtpend=${um.rtp.to}\n`,
    "pjsip.conf": `${head}#include "umlab-pjsip-templates.conf"\n\n${renderPjsip(um)}\n${renderMwiSubscriptions(um)}`,
    "voicemail.conf": `${head}#include "umlab-voicemail-options.conf"\n\n${renderMailboxLimits(um.limits)}\n${renderMailboxes(um)}`,
    "extensions.conf": `${head}#include "umlab-dialplan.conf"\n\n${renderDialplan(um)}`,
  };
}

function renderPjsip(um: UmView): string {
  const transportName = "transport-udp";
  const peer = peerOf(um);
  // In a PJSIP URI option, ';' must be escaped or it starts a comment.
  const proxy = `sip:${asteriskValue(um.peerIp)}:${um.peerPort}\\;lr`;
  // An endpoint pinned to a transport bound to one address binds its RTP there too (the hosted UM's
  // is loopback): the hosted UM's endpoints name no transport (the only one serves), so RTP listens
  // on every address and SDP names media_address. On Azure, SDP names the public address instead
  // (no local_net: no destination is "inside", not even the proxy).
  const pin = um.media ? "" : `transport=${transportName}\n`;
  const publicMedia = um.media?.publicAddress ? `external_media_address=${asteriskValue(um.media.publicAddress)}\n` : "";
  const media = um.media ? `media_address=${asteriskValue(um.media.address)}\n` : "";
  const mwi = um.users
    .map((u) => {
      const name = `mwi-${asteriskValue(u.sipUser)}`;
      return `[${name}](umlab-mwi)
${pin}aors=${name}
mailboxes=${asteriskValue(u.extension)}@${asteriskValue(um.contextOf(u))}
outbound_proxy=${proxy}
from_domain=${asteriskValue(um.fqdn)}

[${name}]
type=aor
contact=${asteriskValue(u.sipUri)}
`;
    })
    .join("\n");
  return `[global]
type=global
user_agent=umlab ${um.role}

[${transportName}](umlab-${transportName})
bind=${um.bind}
${publicMedia}
[${peer}](umlab-peer)
${pin}aors=${peer}
outbound_proxy=${proxy}
${media}
[${peer}]
type=aor
contact=sip:${asteriskValue(um.peerContact)}

[${peer}]
type=identify
endpoint=${peer}
match=${asteriskValue(um.peerIp)}

${mwi}`;
}

/**
 * Solicited MWI: one AOR per mailbox, named by the user's SIP user, which the front end puts in the
 * Request-URI of the user's SUBSCRIBE (unique in the shared address space, where an extension is
 * not: two tenants may share one). The name must not be taken by the UM's own peer objects.
 */
function renderMwiSubscriptions(um: UmView): string {
  return um.users
    .map((u) => {
      const name = asteriskValue(u.sipUser);
      if (name === peerOf(um) || name.startsWith("mwi-"))
        throw new LabModelError(
          lit`UserSipNameReservedOnUm`,
          `user ${shown(u.name)}: SIP user ${shown(name)} names an object of the ${um.role}'s own (its SIP peer or an MWI endpoint); allowed: any other name`,
        );
      return `[${name}](umlab-mwi-subscription)\nmailboxes=${asteriskValue(u.extension)}@${asteriskValue(um.contextOf(u))}\n`;
    })
    .join("\n");
}

function peerOf(um: UmView): string {
  return um.role === "onprem-um" ? "frontend" : "edge";
}

/**
 * The model's mailbox limits, added to the [general] section the static options open: a full
 * mailbox (maxmsg) and the longest message (maxsecs) each end the caller's call from the UM's side.
 */
function renderMailboxLimits(limits: MailboxLimits): string {
  return `[general](+)\nmaxmsg=${limits.maxMessages}\nmaxsecs=${limits.maxMessageSeconds}\n`;
}

/** voicemail.conf's mailboxes: one context per tenant (on-prem UM: one context). */
function renderMailboxes(um: UmView): string {
  const byContext = new Map<string, User[]>();
  for (const u of um.users) {
    const ctx = um.contextOf(u);
    byContext.set(ctx, [...(byContext.get(ctx) ?? []), u]);
  }
  return [...byContext.entries()]
    .map(
      ([ctx, users]) =>
        `[${asteriskValue(ctx)}]\n${users.map((u) => `${asteriskValue(u.extension)} => ${asteriskValue(u.pin)},${asteriskValue(u.displayName)},,,`).join("\n")}\n`,
    )
    .join("\n");
}

/** Greeting files per mailbox, relative to the voicemail spool: short so a deposit takes seconds. */
export function greetingPaths(lab: UmLab, topology: Topology, role: UmRole): string[] {
  const um = viewOf(lab, topology, role);
  return um.users.map((u) => `${um.contextOf(u)}/${u.extension}/unavail.wav`);
}

/**
 * The dialplan's data: [globals] for extensions.conf's contexts, and [um-inbound], the pilots this
 * UM answers (subscriber access and auto attendant only where the model has such a contact).
 */
function renderDialplan(um: UmView): string {
  const key = (ctx: string, name: string) => `${asteriskKey(ctx)}_${asteriskKey(name)}`;
  const pilots: [string, string][] = [[um.role === "onprem-um" ? OnPremUm.PILOT : HostedUm.PILOT, "umlab-deposit"]];
  for (const kind of ["subscriber-access", "auto-attendant"] as const) {
    if (um.contacts.some((c) => c.kind === kind)) pilots.push([ExUmContact.PILOTS[kind], `umlab-${kind}`]);
  }
  const globals = [
    // On-prem UM has one mailbox context; hosted UM takes the tenant from the Request-URI.
    um.role === "onprem-um" ? `UMLAB_TENANT_FROM=fixed\nUMLAB_CONTEXT=${OnPremUm.CONTEXT}` : "UMLAB_TENANT_FROM=request-uri",
    `UMLAB_ORG_PARAM=${ROUTING_PARAM_ORG}`,
    `UMLAB_PEER=${peerOf(um)}`,
    `UMLAB_SIP_DOMAIN=${asteriskValue(um.sipDomain)}`,
    // MBX_<context>_<user>: mailbox of a SIP user; AA_<context>_<extension>: who the auto attendant dials.
    ...um.users.map((u) => `MBX_${key(um.contextOf(u), u.sipUser)}=${asteriskValue(u.extension)}`),
    ...um.users.map((u) => `AA_${key(um.contextOf(u), u.extension)}=${asteriskValue(u.sipUser)}`),
  ];
  return `[globals]
${globals.join("\n")}

[um-inbound]
${pilots.map(([pilot, context]) => `exten => ${asteriskValue(pilot)},1,Goto(${context},s,1)`).join("\n")}
`;
}
