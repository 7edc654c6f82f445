import { COMMON, type Command, defineCommand } from "./command.js";

/**
 * The command line's verbs, in help order. Each handler module is imported only when its command
 * runs: `umlab --help` and `umlab help <command>` load no Docker library.
 */
export const COMMANDS: readonly Command[] = [
  defineCommand({
    name: "up",
    summary: "bring a lab up on local Docker networks and wait until it is healthy",
    description: `Builds the images if needed (content-tagged, reused while unchanged), creates the lab's internal
networks and containers, and waits until Kamailio answers OPTIONS and Asterisk is fully booted.
A start that fails removes everything it created.`,
    options: {
      mode: { type: "string", value: "MODE", help: "on-premises, cross-premises or mixed (default: mixed, or the lab file's mode)" },
      config: {
        type: "string",
        value: "FILE",
        help: "a TypeScript lab file: default export UmLab or ({ mode }) => UmLab (default: the built-in lab)",
      },
      instance: COMMON.instance,
      json: { type: "boolean", help: "print the lab as one JSON object on stdout (progress goes to stderr)" },
    },
    load: () => import("./commands/up.js"),
  }),
  defineCommand({
    name: "test",
    summary: "run the mode's call checks against the running lab",
    description: `Places real calls against the running lab: connectivity to each UM (through the edge where
hosted), network isolation, then for every user a no-answer deposit and an unregistered deposit,
each verified in the right mailbox, with the Diversion header and the caller's tone.
Reports each check like Test-CsExUMConnectivity: target, result, latency, diagnosis.`,
    options: {
      instance: COMMON.instance,
      user: { type: "string", multiple: true, value: "NAME", help: "only this user" },
      json: { type: "boolean", help: "print {instance, mode, passed, failed, results[]} on stdout" },
    },
    load: () => import("./commands/test.js"),
  }),
  defineCommand({
    name: "status",
    summary: "show the running lab (same JSON as up --json)",
    description: "Prints the running lab: networks, nodes (with container state), users. Exit code 1 unless every node runs.",
    options: { instance: COMMON.instance, json: COMMON.json },
    load: () => import("./commands/status.js"),
  }),
  defineCommand({
    name: "mailbox",
    summary: "list a user's voice messages, from whichever UM holds them",
    description:
      "Lists the user's voice messages (folder, caller, duration, tenant) from whichever UM holds them.\n<user> is a user name or extension.",
    arguments: ["<user>"],
    options: { instance: COMMON.instance, json: COMMON.json },
    load: () => import("./commands/mailbox.js"),
  }),
  defineCommand({
    name: "down",
    summary: "remove a lab's containers and networks",
    description: "Removes the lab's containers and networks (every umlab lab with --all). Safe to run twice.",
    options: {
      instance: COMMON.instance,
      all: { type: "boolean", help: "every umlab lab on this Docker engine" },
    },
    load: () => import("./commands/down.js"),
  }),
];
