import { KamailioEdge } from "../edge.js";
import { FrontEnd } from "../front-end.js";
import type { UmLab } from "../lab.js";
import { HostedUm } from "../provider.js";
import { addressOf, edgeExternalAddress, nodeOf, type Topology } from "../topology.js";

/** Where the edge expects its TLS material inside the container. */
export const EDGE_TLS_DIR = "/etc/umlab/tls";
/** rtpengine's control socket, local to the edge container. */
const RTPENGINE_NG = "127.0.0.1:2223";

/**
 * The edge's kamailio.cfg: Access Edge between the corporate network (UDP from the front end
 * only) and the hosting provider (mutual TLS on 5061), with the A/V edge (rtpengine) on both sides.
 */
export function renderEdgeConfig(lab: UmLab, topology: Topology): string {
  const edge = lab.edge;
  const provider = lab.hostingProvider;
  const hosted = lab.hostedUm;
  if (!edge || !provider || !hosted) throw new Error("the lab has no edge, hosting provider or hosted UM");
  const corpIp = addressOf(topology, "edge", "corp");
  const provIp = edgeExternalAddress(topology);
  // On Azure the provider sees the edge's public address (NAT in front of the DMZ NIC).
  const publicIp = nodeOf(topology, "edge").publicAddress;
  const feIp = addressOf(topology, "frontend", "corp");
  const internal = KamailioEdge.INTERNAL_SIP.from;
  const federation = KamailioEdge.FEDERATION.from;
  const unverifiedPolicy =
    provider.verificationLevel === "AlwaysUnverifiable"
      ? `		# AlwaysUnverifiable: every request from the provider is treated as unverified (marked, not trusted).
		append_hf("X-Umlab-Verified: no\\r\\n");`
      : `		# ${provider.verificationLevel}: the provider's certificate chain must verify.
		if ($tls_peer_verified != 1) {
			xlog("L_WARN", "umlab edge: unverified request from $si rejected\\n");
			sl_send_reply("403", "Source not verified");
			exit;
		}`;

  return `#!KAMAILIO
# umlab edge ${edge.fqdn}: Access Edge + A/V Edge towards hosting provider ${provider.proxyFqdn}.
# Rendered from the lab model: change the model, not this file.
debug=2
log_stderror=yes
children=4
tcp_children=2
auto_aliases=no
enable_tls=yes
listen=udp:${corpIp}:${internal}
listen=tls:${provIp}:${federation}${publicIp ? ` advertise ${publicIp}:${federation}` : ""}
alias="${edge.fqdn}"
alias="${corpIp}:${internal}"
alias="${provIp}:${federation}"
dns=no
rev_dns=no

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "tls.so"
loadmodule "rtpengine.so"

modparam("tls", "config", "/etc/umlab/tls.cfg")
modparam("rr", "enable_full_lr", 1)
modparam("rr", "enable_double_rr", 1)
modparam("tm", "fr_timer", 3000)
modparam("rtpengine", "rtpengine_sock", "udp:${RTPENGINE_NG}")
modparam("rtpengine", "rtpengine_disable_tout", 2)

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (!sanity_check()) {
		exit;
	}
	if (is_method("OPTIONS") && uri == myself && $rU == $null) {
		sl_send_reply("200", "Edge ready");
		exit;
	}
	# Which side is this from? Corporate side: only the front end. Provider side: only mutual TLS.
	if ($si == "${feIp}" && $proto == "udp" && $Rp == ${internal}) {
		$var(side) = "corp";
	} else if ($proto == "tls" && $Rp == ${federation}) {
		$var(side) = "provider";
${unverifiedPolicy}
	} else {
		xlog("L_WARN", "umlab edge: request from unknown source $si/$proto rejected\\n");
		sl_send_reply("403", "Forbidden");
		exit;
	}

	if (has_totag()) {
		if (loose_route()) {
			route(MEDIA);
			route(RELAY);
		}
		if (is_method("ACK") && t_check_trans()) {
			t_relay();
		}
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			route(MEDIA);
			t_relay();
		}
		exit;
	}
	t_check_trans();

	if ($var(side) == "corp") {
		# Only the hosting provider's destinations are reachable through the edge.
		if ($rd != "${hosted.fqdn}" && $rd != "${provider.proxyFqdn}") {
			sl_send_reply("403", "Not a hosting provider destination");
			exit;
		}
		record_route();
		$du = "sip:${provider.proxyFqdn}:${HostedUm.SIP_TLS.from};transport=tls";
	} else {
		# From the provider: only into the shared SIP domain, to the front end.
		if ($rd != "${lab.sipDomain}") {
			sl_send_reply("403", "Not a shared address space domain");
			exit;
		}
		record_route();
		$du = "sip:${feIp}:${FrontEnd.SIP.from}";
	}
	route(MEDIA);
	route(RELAY);
}

route[RELAY] {
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}

# A/V edge: media of calls crossing the edge is anchored in rtpengine, one leg per side.
route[MEDIA] {
	if (is_method("INVITE") && has_body("application/sdp")) {
		if ($var(side) == "corp") {
			rtpengine_offer("direction=internal direction=external replace-origin replace-session-connection");
		} else {
			rtpengine_offer("direction=external direction=internal replace-origin replace-session-connection");
		}
		t_on_reply("MEDIA_REPLY");
	} else if (is_method("INVITE")) {
		t_on_reply("MEDIA_REPLY");
	}
	if (is_method("ACK") && has_body("application/sdp")) {
		rtpengine_answer("replace-origin replace-session-connection");
	}
	if (is_method("BYE|CANCEL")) {
		rtpengine_delete();
	}
}

onreply_route[MEDIA_REPLY] {
	if (has_body("application/sdp")) {
		rtpengine_answer("replace-origin replace-session-connection");
	}
}
`;
}

/** Kamailio tls.cfg of the edge: mutual TLS both as server (5061) and as client towards the provider. */
export function renderEdgeTlsConfig(): string {
  const profile = `method = TLSv1.2+
verify_certificate = yes
require_certificate = yes
private_key = ${EDGE_TLS_DIR}/node.key
certificate = ${EDGE_TLS_DIR}/node.crt
ca_list = ${EDGE_TLS_DIR}/ca.crt
`;
  return `# umlab edge TLS: certificates from the lab CA both sides trust. Rendered from the lab model.
[server:default]
${profile}
[client:default]
${profile}`;
}

function edgePublic(topology: Topology): string {
  const ip = nodeOf(topology, "edge").publicAddress;
  return ip ? `!${ip}` : "";
}

/** rtpengine.conf for the A/V edge: one interface per network, the model's media port range. */
export function renderRtpengineConfig(lab: UmLab, topology: Topology): string {
  const edge = lab.edge;
  if (!edge) throw new Error("the lab has no edge");
  return `# umlab A/V edge (rtpengine). Rendered from the lab model.
[rtpengine]
table = -1
interface = internal/${addressOf(topology, "edge", "corp")};external/${edgeExternalAddress(topology)}${edgePublic(topology)}
listen-ng = ${RTPENGINE_NG}
port-min = ${edge.mediaPorts.from}
port-max = ${edge.mediaPorts.to}
foreground = true
log-stderr = true
log-level = 5
`;
}
