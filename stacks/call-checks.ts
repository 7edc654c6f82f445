import { addressOf, type Topology } from "../constructs/topology.js";
import { callPlan, optionsPlan, phoneDir, playToneCommand, sippCommand } from "../nodes/calls/plan.js";

/** Where the phones VM keeps the script, and how the VM names a node's container. */
export const CALL_CHECKS_PATH = "/opt/umlab/call-checks.sh";
export const vmContainer = (node: string) => `umlab-${node}`;
/** In the script, containers are "$PREFIX<node>": umlab- on the VM; the twin run sets its own. */
const scriptContainer = (node: string) => `"\${PREFIX}${node}"`;

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The call checks that run on Azure's test phone VM (rendered from the model, with the same SIPp
 * scenarios and arguments as the local driver): the front end answers, and every user's voice mail
 * takes a call placed straight to it with the test tone, through the edge where hosted. The checks
 * that read mailboxes, headers and recordings run against the twin (they need every node).
 */
export function renderCallChecks(t: Topology): string {
  const lines: string[] = [];
  const phones = t.users.map((u) => u.phone);
  const first = phones[0];
  if (first) {
    const fe = addressOf(t, "frontend", "corp");
    const cmd = sippCommand("options", optionsPlan(t, first, `sip:${fe}`, `${fe}:5060`), 5, "azure-check-options");
    lines.push(`check ${quote("front end answers OPTIONS")} docker exec ${scriptContainer(first)} ${cmd.map(quote).join(" ")}`);
  }
  t.users.forEach((callee, i) => {
    const caller = t.users.find((u) => u.name !== callee.name) ?? callee;
    const plan = callPlan(t, { from: caller.name, to: callee.sipUser, params: ";opaque=app:voicemail", holdSeconds: 3 });
    const cmd = sippCommand(plan.scenario, plan.args, 30, `azure-check-${i}`);
    const label = `voice mail of ${callee.name} on ${callee.mailboxNode}${callee.tenant ? ` (${callee.tenant})` : ""} takes a call`;
    const c = scriptContainer(plan.node);
    const play = `docker exec ${c} ${playToneCommand(plan.node).map(quote).join(" ")}`;
    const run = `docker exec -w ${phoneDir(plan.node)} ${c} ${cmd.map(quote).join(" ")}`;
    lines.push(`check ${quote(label)} sh -c ${quote(`${play} && ${run}`)}`);
  });
  return `#!/bin/bash
# umlab call checks on the Azure test phone VM, rendered from the lab model. Places real calls.
set -u
export PREFIX=\${UMLAB_CONTAINER_PREFIX:-umlab-}
pass=0
fail=0
check() {
  local label=$1
  shift
  local t0
  t0=$(date +%s%N)
  if "$@" >/tmp/umlab-check.log 2>&1; then r=PASS; pass=$((pass + 1)); else r=FAIL; fail=$((fail + 1)); fi
  printf '%s  %-64s %6d ms\\n' "$r" "$label" $((($(date +%s%N) - t0) / 1000000))
  if [ "$r" = FAIL ]; then tail -3 /tmp/umlab-check.log; fi
}
${lines.join("\n")}
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
`;
}
