import { KamailioEdge } from "../edge.js";
import { FrontEnd } from "../front-end.js";
import type { UmLab } from "../lab.js";
import { HostedUm } from "../provider.js";
import { addressOf, edgeExternalAddress, nodeOf, type Topology } from "../topology.js";
import {
  bareToken,
  type RenderedFile,
  renderHtableInit,
  renderKamailioAliases,
  renderKamailioDefines,
  renderKamailioListen,
  staticConfig,
} from "./common.js";
import { capacityDefines, capacityFile } from "./kamailio-capacity.js";
import { floodDefines, floodExemptRows, sipProtectionFiles } from "./kamailio-protection.js";

/** The edge's routing logic, kept as a file (constructs/render/kamailio/edge.cfg). */
export const EDGE_ROUTING_FILE = "edge.cfg";
/** rtpengine's control socket, local to the edge container. */
const RTPENGINE_NG = "127.0.0.1:2223";

/**
 * The edge's files: kamailio.cfg rendered from the model (defines, sockets), which includes the
 * static Access Edge logic; the static tls.cfg; rtpengine.conf rendered from the model.
 */
export function renderEdgeFiles(lab: UmLab, topology: Topology): RenderedFile[] {
  return [
    { path: "kamailio.cfg", content: renderEdgeConfig(lab, topology) },
    { path: EDGE_ROUTING_FILE, content: staticConfig(`kamailio/${EDGE_ROUTING_FILE}`) },
    ...sipProtectionFiles(),
    capacityFile(),
    { path: "tls.cfg", content: renderEdgeTlsConfig() },
    { path: "rtpengine.conf", content: renderRtpengineConfig(lab, topology) },
  ];
}

/**
 * The edge's kamailio.cfg: only the model's data, around an include of the Access Edge logic
 * between the corporate network (UDP from the front end only) and the hosting provider (mutual
 * TLS), with the A/V edge (rtpengine) on both sides.
 */
export function renderEdgeConfig(lab: UmLab, topology: Topology): string {
  const edge = lab.edge;
  const provider = lab.hostingProvider;
  const hosted = lab.hostedUm;
  if (!edge || !provider || !hosted) throw new Error("the lab has no edge, hosting provider or hosted UM");
  const corpIp = addressOf(topology, "edge", "corp");
  const provIp = edgeExternalAddress(topology);
  const feIp = addressOf(topology, "frontend", "corp");
  // How the edge sees the hosted UM (and the provider's proxy on its host): public on Azure.
  const hostedUmAddress = nodeOf(topology, "hosted-um").publicAddress ?? addressOf(topology, "hosted-um", "provider");
  const internal = KamailioEdge.INTERNAL_SIP.from;
  const federation = KamailioEdge.FEDERATION.from;
  const defines = {
    FRONTEND_IP: feIp,
    FRONTEND_URI: `sip:${feIp}:${FrontEnd.SIP.from}`,
    INTERNAL_PORT: internal,
    FEDERATION_PORT: federation,
    SIP_DOMAIN: lab.sipDomain,
    HOSTED_UM_FQDN: hosted.fqdn,
    PROVIDER_PROXY_FQDN: provider.proxyFqdn,
    PROVIDER_URI: `sip:${provider.proxyFqdn}:${HostedUm.SIP_TLS.from};transport=tls`,
    RTPENGINE_SOCK: `udp:${RTPENGINE_NG}`,
    EDGE_FQDN: edge.fqdn,
    // route[TRUST] applies it unless the htable trust=>level overrides it at run time.
    VERIFICATION_LEVEL: provider.verificationLevel,
    // SIP-layer protection: the hosted UM's address (its in-dialog Contact), the anti-flood limit.
    HOSTED_UM_ADDRESS: hostedUmAddress,
    ...floodDefines(edge.floodLimit),
    // The A/V edge counts the calls whose media it relays (capacity.cfg); its ports are sized for them.
    ...capacityDefines(edge.capacity, `Media relay at capacity: edge ${edge.fqdn} relays ${edge.capacity} calls`),
  };
  return `#!KAMAILIO
# umlab edge ${edge.fqdn}: Access Edge + A/V Edge towards hosting provider ${provider.proxyFqdn}.
# Rendered from the lab model: change the model, not this file.
# The routing logic is ${EDGE_ROUTING_FILE}, included below; this file holds the model's data.
# Verification level of the provider: ${provider.verificationLevel}.

${renderKamailioDefines(defines)}

${renderKamailioListen([
  { proto: "udp", ip: corpIp, port: internal },
  // The provider side names the edge by the FQDN its certificate carries (Via, Record-Route), as
  // Lync's Access Edge does: the hosted UM's in-dialog requests (NOTIFYs of an MWI subscription,
  // BYEs) then verify it; an address would not. On Azure the name resolves to the public address.
  { proto: "tls", ip: provIp, port: federation, advertise: edge.fqdn },
])}
${renderKamailioAliases([edge.fqdn, `${corpIp}:${internal}`, `${provIp}:${federation}`])}

include_file "${EDGE_ROUTING_FILE}"

# The lab's own nodes, never counted by the anti-flood limit: the front end, the hosted UM's host.
${renderHtableInit({ floodexempt: floodExemptRows([feIp, hostedUmAddress]) })}
`;
}

/** Kamailio tls.cfg of the edge (static): mutual TLS both as server (5061) and as client towards the provider. */
export function renderEdgeTlsConfig(): string {
  return staticConfig("kamailio/tls.cfg");
}

function edgePublic(topology: Topology): string {
  const ip = nodeOf(topology, "edge").publicAddress;
  return ip ? `!${bareToken(ip)}` : "";
}

/**
 * rtpengine.conf for the A/V edge: one interface per network, the model's media port range. A
 * deleted call gives its ports back at once (delete-delay 0; rtpengine's default keeps it 30 s),
 * so the range sized for the edge's capacity holds that many calls however fast they come and go.
 */
export function renderRtpengineConfig(lab: UmLab, topology: Topology): string {
  const edge = lab.edge;
  if (!edge) throw new Error("the lab has no edge");
  return `# umlab A/V edge (rtpengine). Rendered from the lab model.
[rtpengine]
table = -1
interface = internal/${bareToken(addressOf(topology, "edge", "corp"))};external/${bareToken(edgeExternalAddress(topology))}${edgePublic(topology)}
listen-ng = ${RTPENGINE_NG}
port-min = ${edge.mediaPorts.from}
port-max = ${edge.mediaPorts.to}
delete-delay = 0
foreground = true
log-stderr = true
log-level = 5
`;
}
