import { parseArgs } from "node:util";
import { lit } from "../../constructs/errors.js";
import { UsageError } from "../../nodes/usage-error.js";

/** One option of a command: what parseArgs needs, and a line for the command's help. */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  /** Repeatable: the values come as an array. @default false */
  readonly multiple?: boolean;
  /** How help names a string option's value, e.g. "NAME". @default "VALUE" */
  readonly value?: string;
  readonly help: string;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** The parsed values of an option table: strings, booleans, arrays for repeatable options. */
export type OptionValues<O extends OptionTable> = string extends keyof O
  ? Record<string, string | boolean | string[] | boolean[] | undefined>
  : SpecificValues<O>;

type SpecificValues<O extends OptionTable> = {
  -readonly [K in keyof O]?: O[K]["type"] extends "string"
    ? O[K]["multiple"] extends true
      ? string[]
      : string
    : O[K]["multiple"] extends true
      ? boolean[]
      : boolean;
};

export interface CommandInput<O extends OptionTable> {
  readonly values: OptionValues<O>;
  readonly positionals: readonly string[];
}

/** What a command's lazily loaded module exports: the handler, returning the exit code. */
export interface CommandModule<O extends OptionTable> {
  run: (input: CommandInput<O>) => Promise<number>;
}

/** One verb of the command line. Adding a command is adding one of these to the table. */
export interface Command<O extends OptionTable = OptionTable> {
  readonly name: string;
  /** One line for `umlab --help`. */
  readonly summary: string;
  /** What `umlab help <name>` says between the usage line and the options. */
  readonly description: string;
  /** Positional arguments, as usage shows them, e.g. ["<user>"]. @default none */
  readonly arguments?: readonly string[];
  /** The command's options; `--help` is added to every command. */
  readonly options: O;
  /** Loads the handler only when the command runs, so `--help` does not load Docker libraries. */
  readonly load: () => Promise<CommandModule<O>>;
}

/** Checks the handler against the option table, then erases the table's type for the command list. */
export function defineCommand<const O extends OptionTable>(command: Command<O>): Command {
  return command as unknown as Command;
}

export const DEFAULT_INSTANCE = "lab";

/** Options several commands share, so they read the same everywhere. */
export const COMMON = {
  instance: {
    type: "string",
    value: "NAME",
    help: `the lab's name: networks and containers umlab-NAME-... (default: ${DEFAULT_INSTANCE})`,
  },
  json: { type: "boolean", help: "print the result as one JSON object on stdout (progress goes to stderr)" },
} as const satisfies OptionTable;

const HELP_OPTION = { type: "boolean", short: "h", help: "show this help" } as const satisfies OptionSpec;

/** The --instance value, checked: it names Docker networks and containers. */
export function instanceName(value: string | undefined): string {
  const instance = value ?? DEFAULT_INSTANCE;
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(instance)) {
    throw new UsageError(
      lit`InstanceInvalid`,
      `--instance ${JSON.stringify(instance)} is invalid; allowed: 1 to 31 lowercase letters, digits or '-'`,
    );
  }
  return instance;
}

/** Parses a command's arguments against its own option table; anything else is a UsageError naming it. */
export function parseCommandLine(command: Command, args: readonly string[]): CommandInput<OptionTable> & { help: boolean } {
  const table: OptionTable = { ...command.options, help: HELP_OPTION };
  const options = Object.fromEntries(
    Object.entries(table).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), multiple: !!o.multiple }]),
  );
  // A lenient pass first, to name an unknown option and the ones allowed (parseArgs' own message does neither).
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  for (const t of tokens) {
    if (t.kind === "option" && !Object.hasOwn(table, t.name)) {
      throw new UsageError(
        lit`OptionUnknown`,
        `${command.name}: unknown option ${t.rawName}; allowed: ${Object.keys(table)
          .map((n) => `--${n}`)
          .join(", ")} (see umlab help ${command.name})`,
      );
    }
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs says e.g. "Option '--mode <value>' argument missing."; lowercase, like umlab's messages.
    const first = (err as Error).message.split("\n")[0] ?? "";
    const reason = `${first.charAt(0).toLowerCase()}${first.slice(1)}`.replace(/\.$/, "");
    throw new UsageError(lit`OptionInvalid`, `${command.name}: ${reason} (see umlab help ${command.name})`);
  }
  const allowed = command.arguments ?? [];
  const extra = parsed.positionals.slice(allowed.length);
  if (extra.length > 0) {
    throw new UsageError(
      lit`ArgumentUnexpected`,
      `${command.name}: unexpected argument ${JSON.stringify(extra[0])}; allowed: ${allowed.length ? allowed.join(" ") : "no arguments, only options"} (see umlab help ${command.name})`,
    );
  }
  const { help, ...values } = parsed.values as OptionValues<OptionTable>;
  return { values, positionals: parsed.positionals, help: help === true };
}

function usage(command: Command): string {
  const parts = Object.entries(command.options).map(([name, o]) => {
    const flag = o.type === "string" ? `--${name} ${o.value ?? "VALUE"}` : `--${name}`;
    return o.multiple ? `[${flag}]...` : `[${flag}]`;
  });
  return ["Usage: umlab", command.name, ...(command.arguments ?? []), ...parts].join(" ");
}

/** `umlab help <command>`: usage, description and the option table. */
export function commandHelp(command: Command): string {
  const table: OptionTable = { ...command.options, help: HELP_OPTION };
  const rows = Object.entries(table).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
    return `  ${flag.padEnd(20)} ${o.help}${o.multiple ? " (repeatable)" : ""}`;
  });
  return `${usage(command)}\n\n${command.description}\n\nOptions:\n${rows.join("\n")}`;
}

/** `umlab --help`: every command's summary, and the conventions they share. */
export function mainHelp(commands: readonly Command[]): string {
  const rows = commands.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`);
  return `umlab — Lync 2013 + Exchange UM integration lab (Kamailio, Asterisk, rtpengine)

Usage: umlab <command> [options]
       umlab help <command>     a command's options (same as umlab <command> --help)
       umlab --version          the version

Commands:
${rows.join("\n")}

Exit codes: 0 ok, 1 a check or start failed, a node is not running or no such lab runs,
2 bad input or an invalid lab, 3 no Docker engine. With --json, an error is printed on stdout as {"error": {"code", "message"}}.`;
}
