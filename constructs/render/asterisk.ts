import { ExUmContact } from "../contact.js";
import type { UmLab } from "../lab.js";
import { OnPremUm } from "../onprem-um.js";
import { HostedUm } from "../provider.js";
import { addressOf, edgeAddressSeenByProvider, nodeOf, type Topology } from "../topology.js";
import type { User } from "../user.js";
import type { Port } from "../values.js";
import { asteriskKey, ROUTING_PARAM_ORG } from "./common.js";

export type UmRole = "onprem-um" | "hosted-um";

/** Where Asterisk finds its TLS material inside the container. */
export const UM_TLS_DIR = "/etc/asterisk/keys";

/** The Asterisk modules a UM needs, loaded explicitly (autoload half-loads app_voicemail_odbc). */
const MODULES = [
  "res_sorcery_config.so",
  "res_sorcery_memory.so",
  "res_sorcery_astdb.so",
  "res_pjproject.so",
  "res_pjsip.so",
  "res_pjsip_session.so",
  "res_pjsip_sdp_rtp.so",
  "res_pjsip_endpoint_identifier_ip.so",
  "res_pjsip_caller_id.so",
  "res_pjsip_diversion.so",
  "res_pjsip_header_funcs.so",
  "res_pjsip_pubsub.so",
  "res_pjsip_mwi.so",
  "res_pjsip_mwi_body_generator.so",
  "res_pjsip_logger.so",
  "res_pjsip_nat.so",
  "res_rtp_asterisk.so",
  "res_timing_timerfd.so",
  "res_adsi.so",
  "res_smdi.so",
  "chan_pjsip.so",
  "codec_ulaw.so",
  "codec_alaw.so",
  "codec_gsm.so",
  "format_gsm.so",
  "format_wav.so",
  "format_pcm.so",
  "format_wav_gsm.so",
  "app_voicemail.so",
  "app_playback.so",
  "app_verbose.so",
  "app_exec.so",
  "app_read.so",
  "app_dial.so",
  "app_stack.so",
  "bridge_simple.so",
  "bridge_native_rtp.so",
  "pbx_config.so",
  "func_channel.so",
  "func_cut.so",
  "func_strings.so",
  "func_uri.so",
  "func_logic.so",
  "func_callerid.so",
  "func_vmcount.so",
];

interface UmView {
  readonly role: UmRole;
  readonly fqdn: string;
  readonly rtp: Port;
  /** the SIP peer the UM talks to: the front end (on-prem) or the edge's provider side (hosted) */
  readonly peerIp: string;
  /**
   * How the UM addresses that peer: by FQDN over TLS, so that the edge's certificate (issued to
   * its FQDN) verifies; by address over UDP.
   */
  readonly peerHost: string;
  readonly tls: boolean;
  readonly users: readonly User[];
  /** voice-mail context of a user: "onprem", or the hosted tenant */
  readonly contextOf: (u: User) => string;
  readonly contacts: readonly ExUmContact[];
  readonly sipDomain: string;
  /** Azure: the UM's public address (NAT) and its own subnet, for SIP/SDP behind NAT */
  readonly nat?: { readonly publicAddress: string; readonly localNet: string };
}

function viewOf(lab: UmLab, topology: Topology, role: UmRole): UmView {
  if (role === "onprem-um") {
    const um = lab.onPremUm;
    if (!um) throw new Error("the lab has no OnPremUm");
    return {
      role,
      fqdn: um.fqdn,
      rtp: um.rtpPorts,
      peerIp: addressOf(topology, "frontend", "corp"),
      peerHost: addressOf(topology, "frontend", "corp"),
      tls: false,
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
    peerIp: edgeAddressSeenByProvider(topology),
    peerHost: nodeOf(topology, "edge").fqdn,
    tls: true,
    users: lab.users.filter((u) => u.mailbox === "hosted"),
    contextOf: (u) => u.tenant ?? lab.sipDomain,
    contacts: lab.contacts.filter((c) => c.location === "hosted"),
    sipDomain: lab.sipDomain,
    ...natOf(topology),
  };
}

function natOf(topology: Topology): { nat?: UmView["nat"] } {
  const um = nodeOf(topology, "hosted-um");
  const localNet = topology.networks.find((n) => n.role === "provider")?.subnet;
  return um.publicAddress && localNet ? { nat: { publicAddress: um.publicAddress, localNet } } : {};
}

/** Every Asterisk file of one UM, by file name (installed into /etc/asterisk). */
export function renderAsteriskConfig(lab: UmLab, topology: Topology, role: UmRole): Record<string, string> {
  const um = viewOf(lab, topology, role);
  const head = `; umlab ${role} ${um.fqdn} (mode ${lab.mode}). Rendered from the lab model: change the model, not this file.\n`;
  return {
    "modules.conf": `${head}[modules]\nautoload=no\n${MODULES.map((m) => `load = ${m}`).join("\n")}\n`,
    "logger.conf": `${head}[general]\ndateformat=%F %T\n\n[logfiles]\nconsole => notice,warning,error\nmessages.log => notice,warning,error\n`,
    "rtp.conf": `${head}[general]\nrtpstart=${um.rtp.from}\nrtpend=${um.rtp.to}\n`,
    "pjsip.conf": head + renderPjsip(um),
    "voicemail.conf": head + renderVoicemail(um),
    "extensions.conf": head + renderDialplan(um),
  };
}

function renderPjsip(um: UmView): string {
  const transport = um.tls
    ? `[transport-tls]
type=transport
protocol=tls
bind=0.0.0.0:${HostedUm.SIP_TLS.from}
cert_file=${UM_TLS_DIR}/node.crt
priv_key_file=${UM_TLS_DIR}/node.key
ca_list_file=${UM_TLS_DIR}/ca.crt
verify_client=yes
require_client_cert=yes
verify_server=yes
method=tlsv1_2
${um.nat ? `external_signaling_address=${um.nat.publicAddress}\nexternal_media_address=${um.nat.publicAddress}\nlocal_net=${um.nat.localNet}\n` : ""}`
    : `[transport-udp]
type=transport
protocol=udp
bind=0.0.0.0:${OnPremUm.SIP.from}
`;
  const transportName = um.tls ? "transport-tls" : "transport-udp";
  const peerPort = um.tls ? HostedUm.SIP_TLS.from : OnPremUm.SIP.from;
  const peer = peerOf(um);
  const proxy = `sip:${um.peerHost}:${peerPort}\\;lr${um.tls ? "\\;transport=tls" : ""}`;
  // Unsolicited MWI (Asterisk's res_pjsip_mwi): one endpoint per mailbox whose contact is the user's
  // SIP URI, reached through the peer, which routes it to the user's registered phone.
  const mwi = um.users
    .map(
      (u) => `[mwi-${u.sipUser}]
type=endpoint
transport=${transportName}
aors=mwi-${u.sipUser}
mailboxes=${u.extension}@${um.contextOf(u)}
outbound_proxy=${proxy}
from_domain=${um.fqdn}

[mwi-${u.sipUser}]
type=aor
contact=${u.sipUri}
`,
    )
    .join("\n");
  return `[global]
type=global
user_agent=umlab ${um.role}

${transport}
; The one SIP peer: calls for voice mail arrive from it; MWI and auto-attendant calls leave through it.
[${peer}]
type=endpoint
transport=${transportName}
context=um-inbound
disallow=all
allow=ulaw,alaw
dtmf_mode=rfc4733
direct_media=no
aors=${peer}
outbound_proxy=${proxy}

[${peer}]
type=aor
contact=sip:${um.peerHost}:${peerPort}${um.tls ? ";transport=tls" : ""}

[${peer}]
type=identify
endpoint=${peer}
match=${um.peerIp}

${mwi}`;
}

function peerOf(um: UmView): string {
  return um.role === "onprem-um" ? "frontend" : "edge";
}

function renderVoicemail(um: UmView): string {
  const byContext = new Map<string, User[]>();
  for (const u of um.users) {
    const ctx = um.contextOf(u);
    byContext.set(ctx, [...(byContext.get(ctx) ?? []), u]);
  }
  const contexts = [...byContext.entries()]
    .map(([ctx, users]) => `[${ctx}]\n${users.map((u) => `${u.extension} => ${u.pin},${u.displayName},,,`).join("\n")}\n`)
    .join("\n");
  return `[general]
format=wav
attach=no
maxmsg=100
maxsecs=120
minsecs=1
review=no
operator=no
saycid=no
sayduration=no
envelope=no

${contexts}`;
}

/** Greeting files per mailbox, relative to the voicemail spool: short so a deposit takes seconds. */
export function greetingPaths(lab: UmLab, topology: Topology, role: UmRole): string[] {
  const um = viewOf(lab, topology, role);
  return um.users.map((u) => `${um.contextOf(u)}/${u.extension}/unavail.wav`);
}

function renderDialplan(um: UmView): string {
  const key = (ctx: string, name: string) => `${asteriskKey(ctx)}_${asteriskKey(name)}`;
  // MBX_<context>_<user>: mailbox of a SIP user; AA_<context>_<extension>: who the auto attendant dials.
  const globals = [
    ...um.users.map((u) => `MBX_${key(um.contextOf(u), u.sipUser)}=${u.extension}`),
    ...um.users.map((u) => `AA_${key(um.contextOf(u), u.extension)}=${u.sipUser}`),
  ];
  const peer = peerOf(um);
  const pilot = um.role === "onprem-um" ? OnPremUm.PILOT : HostedUm.PILOT;
  // On-prem UM has one mailbox context; hosted UM takes the tenant from the Request-URI's umlab-org.
  const tenant =
    um.role === "onprem-um"
      ? `exten => s,1,Set(VMCTX=${OnPremUm.CONTEXT})
 same => n,Return()`
      : `exten => s,1,Set(RURI=\${CHANNEL(pjsip,request_uri)})
 same => n,Set(I=2)
 same => n(param),Set(P=\${CUT(RURI,\\;,\${I})})
 same => n,GotoIf($["\${P}" = ""]?noorg)
 same => n,GotoIf($["\${CUT(P,=,1)}" = "${ROUTING_PARAM_ORG}"]?org)
 same => n,Set(I=$[\${I} + 1])
 same => n,Goto(param)
 same => n(org),Set(V=\${CUT(P,=,2)})
 same => n,Set(VMCTX=\${URIDECODE(\${CUT(V,%,1)})})
 same => n,Return()
 same => n(noorg),Log(WARNING,umlab-no-organization request-uri=\${RURI})
 same => n,Hangup(21)`;
  const sa = ExUmContact.PILOTS["subscriber-access"];
  const aa = ExUmContact.PILOTS["auto-attendant"];
  const saBlock = `
; Subscriber access: the caller (From, authenticated by the front end) signs in with the PIN.
exten => ${sa},1,Gosub(umlab-tenant,s,1)
 same => n,Set(MBX=\${MBX_\${FILTER(a-zA-Z0-9,\${VMCTX})}_\${FILTER(a-zA-Z0-9,\${CALLERID(num)})}})
 same => n,GotoIf($["\${MBX}" = ""]?nomailbox)
 same => n,Answer()
 same => n,Log(NOTICE,umlab-subscriber-access call-id=\${CHANNEL(pjsip,call-id)} mailbox=\${MBX}@\${VMCTX} state=pin)
 same => n,VMAuthenticate(\${MBX}@\${VMCTX})
 same => n,Log(NOTICE,umlab-subscriber-access call-id=\${CHANNEL(pjsip,call-id)} mailbox=\${MBX}@\${VMCTX} state=signed-in)
 same => n,VoiceMailMain(\${MBX}@\${VMCTX},s)
 same => n,Hangup()
 same => n(nomailbox),Log(WARNING,umlab-subscriber-access no mailbox for \${CALLERID(num)} in \${VMCTX})
 same => n,Hangup(21)
`;
  const aaBlock = `
; Auto attendant: the caller keys an extension (RFC 4733 DTMF, ended by #) and is put through.
exten => ${aa},1,Gosub(umlab-tenant,s,1)
 same => n,Answer()
 same => n,Read(DIGITS,beep,8,,1,8)
 same => n,Set(TARGET=\${AA_\${FILTER(a-zA-Z0-9,\${VMCTX})}_\${FILTER(0-9,\${DIGITS})}})
 same => n,Log(NOTICE,umlab-auto-attendant call-id=\${CHANNEL(pjsip,call-id)} context=\${VMCTX} digits=\${DIGITS} target=\${TARGET})
 same => n,GotoIf($["\${TARGET}" = ""]?unknown)
 same => n,Dial(PJSIP/${peer}/sip:\${TARGET}@${um.sipDomain},30)
 same => n,Hangup()
 same => n(unknown),Playback(invalid)
 same => n,Hangup(1)
`;
  return `[general]
static=yes
writeprotect=yes

[globals]
${globals.join("\n")}

; Sets VMCTX, the voice-mail context (tenant) the call is for.
[umlab-tenant]
${tenant}

[um-inbound]
; Voice-mail deposit: the mailbox is the user named by the Diversion header (as Exchange UM does).
exten => ${pilot},1,Gosub(umlab-tenant,s,1)
 same => n,Set(DIV=\${PJSIP_HEADER(read,Diversion)})
 same => n,Set(DIV2=\${PJSIP_HEADER(read,Diversion,2)})
 same => n,Set(T=\${CUT(DIV,@,1)})
 same => n,Set(DIVUSER=\${CUT(T,:,2)})
 same => n,Set(MBX=\${MBX_\${FILTER(a-zA-Z0-9,\${VMCTX})}_\${FILTER(a-zA-Z0-9,\${DIVUSER})}})
 same => n,Log(NOTICE,umlab-deposit call-id=\${CHANNEL(pjsip,call-id)} diversion=\${DIV} diversion2=\${DIV2} mailbox=\${MBX}@\${VMCTX})
 same => n,GotoIf($["\${MBX}" = ""]?nomailbox)
 same => n,Answer()
 same => n,VoiceMail(\${MBX}@\${VMCTX},us)
 same => n,Hangup()
 same => n(nomailbox),Log(WARNING,umlab-no-mailbox diversion=\${DIV} context=\${VMCTX})
 same => n,Hangup(1)
${um.contacts.some((c) => c.kind === "subscriber-access") ? saBlock : ""}${um.contacts.some((c) => c.kind === "auto-attendant") ? aaBlock : ""}`;
}
