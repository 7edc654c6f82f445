import { FrontEnd } from "../front-end.js";
import type { UmLab } from "../lab.js";
import { OnPremUm } from "../onprem-um.js";
import { HostedUm } from "../provider.js";
import { addressOf, type Topology } from "../topology.js";
import { ROUTING_PARAM_ORG, renderHtableInit } from "./common.js";

/**
 * The front end's kamailio.cfg: registrar with digest auth, proxy, and the ExUM routing of
 * Lync's front end (no-answer, unregistered and direct-to-voice-mail diversion, per-user UM).
 */
export function renderFrontEndConfig(lab: UmLab, topology: Topology): string {
  const fe = lab.frontEnd;
  if (!fe) throw new Error("the lab has no FrontEnd");
  const ip = addressOf(topology, "frontend", "corp");
  const port = FrontEnd.SIP.from;
  const trusted: string[] = [];
  if (lab.onPremUm) trusted.push(addressOf(topology, "onprem-um", "corp"));
  if (lab.edge) trusted.push(addressOf(topology, "edge", "corp"));

  const users = lab.users;
  const tables: Record<string, [string, string][]> = {
    pw: users.map((u): [string, string] => [u.sipUser, u.password]),
    ext: users.map((u): [string, string] => [u.extension, u.sipUser]),
    mbx: users.map((u): [string, string] => [u.sipUser, u.mailbox]),
    vmdest: users.filter((u) => u.mailbox === "hosted").map((u): [string, string] => [u.sipUser, u.policy?.destination ?? ""]),
    vmorg: users
      .filter((u) => u.mailbox === "hosted")
      .map((u): [string, string] => [u.sipUser, encodeURIComponent(u.policy?.organization ?? "")]),
  };

  const onPrem = lab.onPremUm ? { ip: addressOf(topology, "onprem-um", "corp"), fqdn: lab.onPremUm.fqdn } : undefined;
  const edgeIp = lab.edge ? addressOf(topology, "edge", "corp") : undefined;
  const trustedTest = trusted.length > 0 ? trusted.map((t) => `$si == "${t}"`).join(" || ") : "0";

  return `#!KAMAILIO
# umlab front end ${fe.fqdn} (mode ${lab.mode}). Rendered from the lab model: change the model, not this file.
debug=2
log_stderror=yes
children=4
tcp_children=2
auto_aliases=no
listen=udp:${ip}:${port}
listen=tcp:${ip}:${port}
alias="${lab.sipDomain}"
alias="${fe.fqdn}"
alias="${ip}:${port}"
dns=no
rev_dns=no

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "auth.so"
loadmodule "htable.so"

modparam("tm", "fr_timer", 3000)
modparam("tm", "fr_inv_timer", 120000)
modparam("rr", "enable_full_lr", 1)
modparam("registrar", "max_expires", 3600)
modparam("usrloc", "db_mode", 0)
${Object.keys(tables)
  .map((t) => `modparam("htable", "htable", "${t}=>size=6;")`)
  .join("\n")}

# Users, extensions and where each mailbox lives: the AD attributes of the original.
${renderHtableInit(tables)}

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (!sanity_check()) {
		exit;
	}
	# Health check: OPTIONS to the server itself.
	if (is_method("OPTIONS") && uri == myself && $rU == $null) {
		sl_send_reply("200", "Front end ready");
		exit;
	}
	if (has_totag()) {
		route(WITHINDLG);
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}
	t_check_trans();

	if (is_method("REGISTER")) {
		route(REGISTRAR);
		exit;
	}
	if (!(uri == myself)) {
		sl_send_reply("403", "Relaying forbidden");
		exit;
	}
	# Users authenticate; the UMs and the edge are trusted by source address.
	if (!(${trustedTest})) {
		route(AUTH);
	}
	route(CALLEE);
	if (is_method("INVITE")) {
		record_route();
		if (uri_param("opaque", "app:voicemail")) {
			$avp(divreason) = "unconditional";
			route(VOICEMAIL);
			exit;
		}
		if (!lookup("location")) {
			$avp(divreason) = "unavailable";
			route(VOICEMAIL);
			exit;
		}
		# Ring the phone for the no-answer time, then divert (failure_route NOANSWER).
		t_on_failure("NOANSWER");
		t_set_fr(${fe.noAnswerSeconds * 1000}, 3000);
		route(RELAY);
		exit;
	}
	# NOTIFY (message waiting), MESSAGE, ...: deliver to the registered phone.
	if (!lookup("location")) {
		sl_send_reply("480", "Temporarily Unavailable");
		exit;
	}
	route(RELAY);
}

route[RELAY] {
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}

route[WITHINDLG] {
	if (loose_route()) {
		route(RELAY);
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			t_relay();
		}
		exit;
	}
	sl_send_reply("404", "Not here");
	exit;
}

route[REGISTRAR] {
	if (!pv_auth_check("$td", "$sht(pw=>$tU)", "0", "1")) {
		auth_challenge("$td", "0");
		exit;
	}
	consume_credentials();
	if (!save("location")) {
		sl_reply_error();
	}
	exit;
}

route[AUTH] {
	if (!pv_auth_check("$fd", "$sht(pw=>$fU)", "0", "1")) {
		auth_challenge("$fd", "0");
		exit;
	}
	consume_credentials();
}

# Dialled extension -> the user's SIP URI; unknown users get 404.
route[CALLEE] {
	if ($sht(ext=>$rU) != $null) {
		$rU = $sht(ext=>$rU);
	}
	if ($sht(pw=>$rU) == $null) {
		sl_send_reply("404", "No such user");
		exit;
	}
	$avp(callee) = $rU;
	$avp(callee_uri) = "sip:" + $rU + "@${lab.sipDomain}";
}

# Lync's ExUM routing: drop any Diversion, name the callee, send to the user's UM.
route[VOICEMAIL] {
	remove_hf("Diversion");
	append_hf("Diversion: <$avp(callee_uri)>;reason=$avp(divreason);counter=1\\r\\n");
	$var(user) = $avp(callee);
	if ($sht(mbx=>$var(user)) == "hosted") {
${
  edgeIp
    ? `		# Hosted: destination and organization go into the Request-URI (umlab's own syntax, see README "Routing").
		$ru = "sip:${HostedUm.PILOT}@" + $sht(vmdest=>$var(user)) + ";${ROUTING_PARAM_ORG}=" + $sht(vmorg=>$var(user));
		$du = "sip:${edgeIp}:5060";`
    : `		sl_send_reply("480", "Hosted voice mail is not available in this mode");
		exit;`
}
	} else {
${
  onPrem
    ? `		$ru = "sip:${OnPremUm.PILOT}@${onPrem.fqdn}";
		$du = "sip:${onPrem.ip}:${OnPremUm.SIP.from}";`
    : `		sl_send_reply("480", "On-premises voice mail is not available in this mode");
		exit;`
}
	}
	xlog("L_NOTICE", "umlab voicemail: callee=$avp(callee) reason=$avp(divreason) ruri=$ru via=$du call-id=$ci\\n");
	t_on_failure("UM_FAILED");
	t_set_fr(30000, 3000);
	route(RELAY);
}

failure_route[NOANSWER] {
	if (t_is_canceled()) {
		exit;
	}
	if (t_branch_timeout() || t_check_status("408|480|486|600|603")) {
		$avp(divreason) = "no-answer";
		route(VOICEMAIL);
	}
}

failure_route[UM_FAILED] {
	if (t_is_canceled()) {
		exit;
	}
	xlog("L_WARN", "umlab voicemail: UM did not take the call for $avp(callee) (status $T_reply_code) call-id=$ci\\n");
}
`;
}
