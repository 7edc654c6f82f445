import { FEDERATION_SRV } from "../dns.js";
import type { UmLab } from "../lab.js";
import { HostedUm } from "../provider.js";
import { addressOf, nodeOf, type Topology } from "../topology.js";
import { Port } from "../values.js";
import { type RenderedFile, renderKamailioAliases, renderKamailioDefines, renderKamailioListen, staticConfig } from "./common.js";
import { capacityDefines, capacityFile } from "./kamailio-capacity.js";

/** The provider proxy's routing logic, kept as a file (constructs/render/kamailio/provider-proxy.cfg). */
export const PROVIDER_PROXY_ROUTING_FILE = "provider-proxy.cfg";

/**
 * Inside the hosted UM's node, the provider's SIP proxy and Asterisk talk over loopback: the proxy
 * on `proxy`, Asterisk on `um`. Nothing outside the node reaches either; the federation side is
 * the proxy's mutual TLS on the hosted UM's address (HostedUm.SIP_TLS).
 */
export const PROVIDER_PROXY_LOOPBACK = {
  address: "127.0.0.1",
  proxy: Port.udp(5060),
  um: Port.udp(5062),
} as const;

/**
 * The hosting provider's SIP proxy, in the hosted UM's node: its kamailio.cfg rendered from the
 * model around an include of its routing logic, and the mutual-TLS settings the edge uses too.
 * The node's entrypoint starts it beside Asterisk when these files are there.
 */
export function renderProviderProxyFiles(lab: UmLab, topology: Topology): RenderedFile[] {
  return [
    { path: "kamailio.cfg", content: renderProviderProxyConfig(lab, topology) },
    { path: PROVIDER_PROXY_ROUTING_FILE, content: staticConfig(`kamailio/${PROVIDER_PROXY_ROUTING_FILE}`) },
    { path: "tls.cfg", content: staticConfig("kamailio/tls.cfg") },
    capacityFile(),
  ];
}

/**
 * The proxy's kamailio.cfg: only the model's data. It answers to the provider's name for the hosted
 * UM, advertising its address (Azure: its public one, NATed to the VM), and hands the provider's own
 * requests to Asterisk on loopback. Its federation socket takes connections to every address of
 * the node, as Asterisk's did (the twin run gives the node its public stand-in as an address).
 */
export function renderProviderProxyConfig(lab: UmLab, topology: Topology): string {
  const um = nodeOf(topology, "hosted-um");
  const hosted = lab.hostedUm;
  if (!hosted) throw new Error("the lab has no HostedUm");
  const ip = addressOf(topology, "hosted-um", "provider");
  const federation = HostedUm.SIP_TLS.from;
  const { address: loopback, proxy, um: asterisk } = PROVIDER_PROXY_LOOPBACK;
  const defines = {
    FEDERATION_PORT: federation,
    LOOPBACK_IP: loopback,
    UM_SIDE_PORT: proxy.from,
    UM_URI: `sip:${loopback}:${asterisk.from}`,
    PROVIDER_FQDN: um.fqdn,
    FEDERATION_SRV,
    // Where the SDP Asterisk sends on loopback must name the UM's media: Asterisk's pjsip rewrites
    // an SDP address equal to the host's own address into the address of the transport the message
    // leaves on (loopback), so media_address alone gives the edge c=127.0.0.1 (Azure: the public
    // address, which pjsip leaves alone; loopback then never appears).
    MEDIA_IP: um.publicAddress ?? ip,
    // The provider's proxy counts the calls it hands the hosted UM, every tenant together (capacity.cfg).
    ...capacityDefines(hosted.capacity, `Hosted voice mail at capacity: ${hosted.fqdn} takes ${hosted.capacity} calls`),
  };
  return `#!KAMAILIO
# umlab provider proxy ${um.fqdn}: the hosting provider's SIP proxy, in front of the hosted UM.
# Federation (mutual TLS, ${ip}:${federation}) on one side, Asterisk on loopback on the other. Requests
# into the shared SIP domain ${lab.sipDomain} go where DNS SRV ${FEDERATION_SRV}.<domain> points, as Lync's do.
# Rendered from the lab model: change the model, not this file.
# The routing logic is ${PROVIDER_PROXY_ROUTING_FILE}, included below; this file holds the model's data.

${renderKamailioDefines(defines)}

${renderKamailioListen([
  { proto: "tls", ip: "0.0.0.0", port: federation, advertise: um.publicAddress ?? ip },
  { proto: "udp", ip: loopback, port: proxy.from },
])}
${renderKamailioAliases([um.fqdn, `${ip}:${federation}`, `${loopback}:${proxy.from}`])}

include_file "${PROVIDER_PROXY_ROUTING_FILE}"
`;
}
