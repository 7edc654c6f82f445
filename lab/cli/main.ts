import { parseArgs } from "node:util";
import { LabModelError } from "../../constructs/errors.js";
import type { Topology } from "../../constructs/topology.js";
import { loadLab, parseMode } from "../../nodes/lab-file.js";
import { UsageError } from "../../nodes/usage-error.js";
import { type CheckResult, runChecks } from "../calls/checks.js";
import { listMessages } from "../calls/mailbox.js";
import { DockerUnavailableError, LabError } from "../runtime/docker.js";
import { destroyInstance, findInstances, LabExistsError, LocalLab, StartedLocalLab } from "../runtime/local-lab.js";

/** Exit codes: documented in the README's command reference. */
export const EXIT = { ok: 0, failed: 1, usage: 2, docker: 3 } as const;

const DEFAULT_INSTANCE = "lab";

const HELP: Record<string, string> = {
  main: `umlab — Lync 2013 + Exchange UM integration lab (Kamailio, Asterisk, rtpengine)

Usage: umlab <command> [options]

Commands:
  up       bring a lab up on local Docker networks and wait until it is healthy
  test     run the mode's call checks against the running lab
  status   show the running lab (same JSON as up --json)
  mailbox  list a user's voice messages, from whichever UM holds them
  down     remove a lab's containers and networks

Run "umlab <command> --help" for a command's options.
Exit codes: 0 ok, 1 a check or start failed, 2 bad input or invalid lab, 3 no Docker engine.`,
  up: `Usage: umlab up [--mode on-premises|cross-premises|mixed] [--config lab.config.ts] [--instance NAME] [--json]

Builds the images if needed (content-tagged, reused while unchanged), creates the lab's internal
networks and containers, and waits until Kamailio answers OPTIONS and Asterisk is fully booted.
A start that fails removes everything it created.
  --mode      deployment mode (default: mixed, or the lab file's mode)
  --config    a TypeScript lab file: default export UmLab or ({ mode }) => UmLab (default: built-in lab)
  --instance  names the lab's networks and containers umlab-NAME-... (default: ${DEFAULT_INSTANCE})
  --json      print the lab as one JSON object on stdout (progress goes to stderr)`,
  test: `Usage: umlab test [--instance NAME] [--user NAME]... [--json]

Places real calls against the running lab: connectivity to each UM (through the edge where
hosted), network isolation, then for every user a no-answer deposit and an unregistered deposit,
each verified in the right mailbox, with the Diversion header and the caller's tone.
Reports each check like Test-CsExUMConnectivity: target, result, latency, diagnosis.
  --user      only this user (repeatable)
  --json      print {instance, mode, passed, failed, results[]} on stdout`,
  status: `Usage: umlab status [--instance NAME] [--json]

Prints the running lab: networks, nodes (with container state), users.`,
  mailbox: `Usage: umlab mailbox <user> [--instance NAME] [--json]

Lists the user's voice messages (folder, caller, duration, tenant) from whichever UM holds them.`,
  down: `Usage: umlab down [--instance NAME | --all]

Removes the lab's containers and networks (all umlab labs with --all). Safe to run twice.`,
};

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}
function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The topology as `up --json` / `status --json` print it (the README's contract). */
export function printableTopology(t: Topology, states?: Record<string, string>) {
  return {
    instance: t.instance,
    mode: t.mode,
    sipDomain: t.sipDomain,
    noAnswerSeconds: t.noAnswerSeconds,
    networks: t.networks,
    nodes: t.nodes.map(({ user: _user, publicAddress: _public, ...n }) => ({ ...n, ...(states ? { state: states[n.name] } : {}) })),
    users: t.users.map(({ phone: _phone, ...u }) => u),
    contacts: t.contacts,
  };
}

function describe(t: Topology, states?: Record<string, string>): string {
  const lines = [`lab ${t.instance}: mode ${t.mode}, SIP domain ${t.sipDomain}, no-answer ${t.noAnswerSeconds} s`];
  for (const n of t.networks) lines.push(`  network ${n.role.padEnd(8)} ${n.subnet.padEnd(16)} ${n.name}`);
  for (const n of t.nodes) {
    const addrs = Object.entries(n.addresses)
      .map(([r, ip]) => `${r} ${ip}`)
      .join(", ");
    lines.push(`  node ${n.name.padEnd(12)} ${n.role.padEnd(9)} ${addrs.padEnd(36)} ${n.container}${states ? ` [${states[n.name]}]` : ""}`);
  }
  for (const u of t.users)
    lines.push(
      `  user ${u.name.padEnd(8)} ${u.extension}  ${u.sipUri.padEnd(26)} mailbox ${u.mailbox} on ${u.mailboxNode}${u.tenant ? ` (tenant ${u.tenant})` : ""}`,
    );
  return lines.join("\n");
}

function formatResult(r: CheckResult): string {
  const mark = r.result === "Success" ? "PASS" : "FAIL";
  return `${mark}  ${r.check.padEnd(21)} ${r.target.padEnd(52)} ${String(r.latencyMs).padStart(6)} ms  ${r.diagnosis}`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    out(HELP.main as string);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (!Object.hasOwn(HELP, command) || command === "main")
    throw new UsageError(`unknown command ${JSON.stringify(command)}; allowed: up, test, status, mailbox, down (see umlab --help)`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: command === "mailbox",
    options: {
      help: { type: "boolean", short: "h" },
      json: { type: "boolean" },
      mode: { type: "string" },
      config: { type: "string" },
      instance: { type: "string" },
      user: { type: "string", multiple: true },
      all: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    out(HELP[command] as string);
    return EXIT.ok;
  }
  const instance = values.instance ?? DEFAULT_INSTANCE;
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(instance)) {
    throw new UsageError(`--instance ${JSON.stringify(instance)} is invalid; allowed: 1 to 31 lowercase letters, digits or '-'`);
  }

  switch (command) {
    case "up": {
      const lab = await loadLab(parseMode(values.mode, undefined), values.config);
      const started = await new LocalLab(lab, { instance, log: progress }).start();
      if (values.json) out(JSON.stringify(printableTopology(started.topology), null, 2));
      else
        out(
          `${describe(started.topology)}\n\nNext: umlab test${instance === DEFAULT_INSTANCE ? "" : ` --instance ${instance}`}   (umlab down to remove it)`,
        );
      return EXIT.ok;
    }
    case "status": {
      const lab = await StartedLocalLab.attach(instance);
      const states = await lab.states();
      if (values.json) out(JSON.stringify(printableTopology(lab.topology, states), null, 2));
      else out(describe(lab.topology, states));
      return Object.values(states).every((s) => s === "running") ? EXIT.ok : EXIT.failed;
    }
    case "test": {
      const lab = await StartedLocalLab.attach(instance);
      const unknown = (values.user ?? []).filter((u) => !lab.topology.users.some((x) => x.name === u));
      if (unknown.length > 0) {
        throw new UsageError(
          `--user ${unknown.map((u) => JSON.stringify(u)).join(", ")} is not in lab ${instance}; allowed: ${lab.topology.users.map((u) => u.name).join(", ")}`,
        );
      }
      if (!values.json) progress(`running ${lab.topology.mode} call checks against lab ${instance} (each check places real calls)`);
      const results = await runChecks(lab, {
        noAnswerSeconds: lab.topology.noAnswerSeconds,
        ...(values.user ? { users: values.user } : {}),
        onResult: (r) => {
          if (!values.json) out(formatResult(r));
        },
      });
      const failed = results.filter((r) => r.result !== "Success").length;
      if (values.json)
        out(JSON.stringify({ instance, mode: lab.topology.mode, passed: results.length - failed, failed, results }, null, 2));
      else out(`\n${results.length - failed} passed, ${failed} failed`);
      return failed === 0 && results.length > 0 ? EXIT.ok : EXIT.failed;
    }
    case "mailbox": {
      const name = positionals[0];
      if (!name) throw new UsageError("mailbox needs a user name or extension, e.g. umlab mailbox alice");
      const lab = await StartedLocalLab.attach(instance);
      const user = lab.topology.users.find((u) => u.name === name || u.extension === name);
      if (!user)
        throw new UsageError(
          `no user ${JSON.stringify(name)} in lab ${instance}; users: ${lab.topology.users.map((u) => u.name).join(", ")}`,
        );
      const tenant = user.mailbox === "hosted" ? user.tenant : "onprem";
      const messages = (await listMessages(lab, { node: user.mailboxNode, mailbox: user.extension })).filter((m) => m.tenant === tenant);
      if (values.json) {
        out(JSON.stringify({ user: user.name, extension: user.extension, node: user.mailboxNode, tenant, messages }, null, 2));
      } else {
        out(
          `${user.name} (${user.extension}): mailbox on ${user.mailboxNode}, ${user.mailbox === "hosted" ? `tenant ${tenant}` : "on-premises"}; ${messages.length} message(s)`,
        );
        for (const m of messages)
          out(`  ${m.folder.padEnd(6)} ${m.id}  from ${m.caller.padEnd(10)} ${String(m.durationSeconds).padStart(3)} s  ${m.receivedAt}`);
      }
      return EXIT.ok;
    }
    case "down": {
      const targets = values.all ? await findInstances() : [instance];
      for (const t of targets) {
        const removed = await destroyInstance(t);
        out(`lab ${t}: removed ${removed.containers} container(s), ${removed.networks} network(s)`);
      }
      if (targets.length === 0) out("no umlab labs run here");
      return EXIT.ok;
    }
  }
  return EXIT.usage;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof DockerUnavailableError) {
      progress(`umlab: ${err.message}`);
      process.exitCode = EXIT.docker;
    } else if (err instanceof UsageError || err instanceof LabModelError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      progress(`umlab: ${(err as Error).message}`);
      process.exitCode = EXIT.usage;
    } else if (err instanceof LabExistsError) {
      progress(`umlab: ${err.message}`);
      process.exitCode = EXIT.usage;
    } else if (err instanceof LabError) {
      progress(`umlab: ${err.message}`);
      process.exitCode = EXIT.failed;
    } else {
      progress(`umlab: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exitCode = EXIT.failed;
    }
  },
);
