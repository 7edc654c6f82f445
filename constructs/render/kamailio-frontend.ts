import { KamailioEdge } from "../edge.js";
import { InternalError, lit } from "../errors.js";
import { FrontEnd } from "../front-end.js";
import type { UmLab } from "../lab.js";
import { OnPremUm } from "../onprem-um.js";
import { addressOf, type Topology } from "../topology.js";
import {
  type RenderedFile,
  ROUTING_PARAM_ORG,
  renderHtableInit,
  renderKamailioAliases,
  renderKamailioDefines,
  renderKamailioListen,
  staticConfig,
} from "./common.js";
import { capacityDefines, capacityFile } from "./kamailio-capacity.js";
import { floodDefines, floodExemptRows, sipProtectionFiles } from "./kamailio-protection.js";

/** The front end's routing logic, kept as a file (constructs/render/kamailio/frontend.cfg). */
export const FRONTEND_ROUTING_FILE = "frontend.cfg";

/**
 * The front end's files: kamailio.cfg, rendered from the model (defines, sockets, tables), which
 * includes the static routing logic of Lync's front end (registrar, proxy, ExUM routing).
 */
export function renderFrontEndFiles(lab: UmLab, topology: Topology): RenderedFile[] {
  return [
    { path: "kamailio.cfg", content: renderFrontEndConfig(lab, topology) },
    { path: FRONTEND_ROUTING_FILE, content: staticConfig(`kamailio/${FRONTEND_ROUTING_FILE}`) },
    ...sipProtectionFiles(),
    ...(lab.onPremUm ? [capacityFile()] : []),
  ];
}

/** The front end's kamailio.cfg: only the model's data, around an include of the routing logic. */
export function renderFrontEndConfig(lab: UmLab, topology: Topology): string {
  const fe = lab.frontEnd;
  if (!fe) throw new Error("the lab has no FrontEnd");
  const ip = addressOf(topology, "frontend", "corp");
  const port = FrontEnd.SIP.from;
  return `#!KAMAILIO
# umlab front end ${fe.fqdn} (mode ${lab.mode}). Rendered from the lab model: change the model, not this file.
# The routing logic is ${FRONTEND_ROUTING_FILE}, included below; this file holds the model's data.

${renderKamailioDefines(frontEndDefines(lab, topology))}

${renderKamailioListen([
  { proto: "udp", ip, port },
  { proto: "tcp", ip, port: FrontEnd.SIP_TCP.from },
])}
${renderKamailioAliases([lab.sipDomain, fe.fqdn, `${ip}:${port}`])}

include_file "${FRONTEND_ROUTING_FILE}"

# Users, extensions and where each mailbox lives: the AD attributes of the original.
${renderHtableInit(frontEndTables(lab, topology))}
`;
}

/** The defines frontend.cfg expects; WITH_ONPREM / WITH_HOSTED switch the mode's UM routes on. */
function frontEndDefines(lab: UmLab, topology: Topology): Record<string, string | number | boolean> {
  const fe = lab.frontEnd;
  if (!fe) throw new Error("the lab has no FrontEnd");
  const onPrem = lab.onPremUm;
  const edgeIp = lab.edge ? addressOf(topology, "edge", "corp") : undefined;
  return {
    SIP_DOMAIN: lab.sipDomain,
    NO_ANSWER_MS: fe.noAnswerSeconds * 1000,
    VOICEMAIL_PILOT: OnPremUm.PILOT,
    ROUTING_PARAM_ORG,
    WITH_ONPREM: onPrem !== undefined,
    ...(onPrem && {
      ONPREM_UM_FQDN: onPrem.fqdn,
      ONPREM_UM_URI: `sip:${addressOf(topology, "onprem-um", "corp")}:${OnPremUm.SIP.from}`,
      // The front end counts the calls it sends the on-premises UM (capacity.cfg).
      ...capacityDefines(onPrem.capacity, `Voice mail at capacity: ${onPrem.fqdn} takes ${onPrem.capacity} calls`),
    }),
    WITH_HOSTED: edgeIp !== undefined,
    // EDGE_IP: the one source whose trust mark (ms-edge-proxy-message-trust) is believed.
    ...(edgeIp && { EDGE_URI: `sip:${edgeIp}:${KamailioEdge.INTERNAL_SIP.from}`, EDGE_IP: edgeIp }),
    // SIP-layer protection: where dialogs may lead, the registrar's limit, the anti-flood limit.
    CORP_SUBNET: corpSubnet(topology),
    MAX_CONTACTS: fe.maxContactsPerUser,
    ...floodDefines(fe.floodLimit),
  };
}

/** One table per fact. Routing keys: a user's SIP user part, or a contact's display number. */
function frontEndTables(lab: UmLab, topology: Topology): Record<string, [string, string][]> {
  const users = lab.users;
  const hostedUsers = users.filter((u) => u.mailbox === "hosted");
  const hostedContacts = lab.contacts.filter((c) => c.location === "hosted");
  const count = new Map<string, number>();
  for (const u of users) count.set(u.extension, (count.get(u.extension) ?? 0) + 1);
  // The UMs and the edge do not authenticate: they are trusted by their SIP socket (transport,
  // address and port), and the anti-flood limit never counts their address.
  const peers = [
    ...(lab.onPremUm ? [{ node: "onprem-um", sip: OnPremUm.SIP }] : []),
    ...(lab.edge ? [{ node: "edge", sip: KamailioEdge.INTERNAL_SIP }] : []),
  ].map(({ node, sip }) => ({ ip: addressOf(topology, node, "corp"), sip }));
  return {
    pw: users.map((u): [string, string] => [u.sipUser, u.password]),
    ext: users.filter((u) => count.get(u.extension) === 1).map((u): [string, string] => [u.extension, u.sipUser]),
    amb: [...count].filter(([, n]) => n > 1).map(([e]): [string, string] => [e, "1"]),
    loc: [
      ...users.map((u): [string, string] => [u.sipUser, u.mailbox]),
      ...lab.contacts.map((c): [string, string] => [c.displayNumber, c.location]),
    ],
    dest: [
      ...hostedUsers.map((u): [string, string] => [u.sipUser, u.policy?.destination ?? ""]),
      ...hostedContacts.map((c): [string, string] => [c.displayNumber, c.policy?.destination ?? ""]),
    ],
    org: [
      ...hostedUsers.map((u): [string, string] => [u.sipUser, encodeURIComponent(u.policy?.organization ?? "")]),
      ...hostedContacts.map((c): [string, string] => [c.displayNumber, encodeURIComponent(c.policy?.organization ?? "")]),
    ],
    contact: lab.contacts.map((c): [string, string] => [c.displayNumber, c.pilot]),
    anyone: lab.contacts.filter((c) => c.kind === "auto-attendant").map((c): [string, string] => [c.displayNumber, "1"]),
    trusted: peers.map(({ ip, sip }): [string, string] => [`${sip.transport}:${ip}:${sip.from}`, "1"]),
    floodexempt: floodExemptRows(peers.map(({ ip }) => ip)),
  };
}

/** The corporate network's subnet: a dialog's next hop from the front end lies inside it. */
function corpSubnet(topology: Topology): string {
  const corp = topology.networks.find((n) => n.role === "corp");
  if (!corp) throw new InternalError(lit`CorpNetworkMissing`, "the topology has no corporate network");
  return corp.subnet;
}
