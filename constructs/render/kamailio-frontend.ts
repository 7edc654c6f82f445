import { FrontEnd } from "../front-end.js";
import type { UmLab } from "../lab.js";
import { OnPremUm } from "../onprem-um.js";
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
  const hostedUsers = users.filter((u) => u.mailbox === "hosted");
  const hostedContacts = lab.contacts.filter((c) => c.location === "hosted");
  const count = new Map<string, number>();
  for (const u of users) count.set(u.extension, (count.get(u.extension) ?? 0) + 1);
  // One table per fact. Routing keys: a user's SIP user part, or a contact's display number.
  const tables: Record<string, [string, string][]> = {
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
	# ExUM contact objects: subscriber access needs a signed-in user, the auto attendant takes anyone.
	if ($sht(contact=>$rU) != $null) {
		if ($sht(anyone=>$rU) == $null && !(${trustedTest})) {
			route(AUTH);
		}
		if (!is_method("INVITE")) {
			sl_send_reply("405", "Only calls to a UM contact");
			exit;
		}
		record_route();
		$var(key) = $rU;
		$var(pilot) = $sht(contact=>$rU);
		route(TO_UM);
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

# Dialled extension -> the user's SIP URI; unknown users get 404, numbers two tenants share 485.
route[CALLEE] {
	if ($sht(amb=>$rU) != $null) {
		sl_send_reply("485", "Ambiguous: dial the user by name");
		exit;
	}
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
	append_hf("Diversion: <$avp(callee_uri)>;reason=$avp(divreason);counter=1\r\n");
	$var(key) = $avp(callee);
	$var(pilot) = "${OnPremUm.PILOT}";
	route(TO_UM);
}

# To the UM that serves $var(key) (a user or a contact number), asking for $var(pilot).
route[TO_UM] {
	if ($sht(loc=>$var(key)) == "hosted") {
${
  edgeIp
    ? `		# Hosted: destination and organization go into the Request-URI (umlab's own syntax, see README "Routing").
		$ru = "sip:" + $var(pilot) + "@" + $sht(dest=>$var(key)) + ";${ROUTING_PARAM_ORG}=" + $sht(org=>$var(key));
		$du = "sip:${edgeIp}:5060";`
    : `		sl_send_reply("480", "Hosted voice mail is not available in this mode");
		exit;`
}
	} else {
${
  onPrem
    ? `		$ru = "sip:" + $var(pilot) + "@${onPrem.fqdn}";
		$du = "sip:${onPrem.ip}:${OnPremUm.SIP.from}";`
    : `		sl_send_reply("480", "On-premises voice mail is not available in this mode");
		exit;`
}
	}
	xlog("L_NOTICE", "umlab to UM: key=$var(key) pilot=$var(pilot) reason=$avp(divreason) ruri=$ru via=$du call-id=$ci\n");
	t_on_failure("UM_FAILED");
	t_set_fr(30000, 3000);
	route(RELAY);
}

failure_route[NOANSWER] {
	if (t_is_canceled()) {
		exit;
	}
	if (t_check_status("486|600")) {
		$avp(divreason) = "user-busy";
		route(VOICEMAIL);
	}
	if (t_branch_timeout() || t_check_status("408|480|603")) {
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
