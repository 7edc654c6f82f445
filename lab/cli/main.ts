import { readFileSync } from "node:fs";
import { ExitCode, InternalError, lit, UmlabError } from "../../constructs/errors.js";
import { UsageError } from "../../nodes/usage-error.js";
import { type Command, commandHelp, mainHelp, parseCommandLine } from "./command.js";
import { COMMANDS } from "./command-table.js";
import { out, progress } from "./io.js";

// Only light modules above: a command's handler, with testcontainers and the call driver, is
// imported when the command runs (COMMANDS' `load`), so `--help` and `--version` start fast.

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function commandNamed(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    throw new UsageError(
      lit`CommandUnknown`,
      `unknown command ${JSON.stringify(name)}; allowed: ${COMMANDS.map((c) => c.name).join(", ")} (see umlab --help)`,
    );
  }
  return command;
}

/** `umlab help [<command>]`. */
function help(args: readonly string[]): number {
  const [name, ...extra] = args;
  if (extra.length > 0)
    throw new UsageError(lit`ArgumentUnexpected`, `help: unexpected argument ${JSON.stringify(extra[0])}; allowed: one command name`);
  out(name === undefined ? mainHelp(COMMANDS) : commandHelp(commandNamed(name)));
  return ExitCode.ok;
}

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    out(mainHelp(COMMANDS));
    return ExitCode.badInput;
  }
  if (first === "--help" || first === "-h") return help([]);
  if (first === "help") return help(rest);
  if (first === "--version" || first === "-v") {
    out(version());
    return ExitCode.ok;
  }
  const command = commandNamed(first);
  const input = parseCommandLine(command, rest);
  if (input.help) {
    out(commandHelp(command));
    return ExitCode.ok;
  }
  const { run } = await command.load();
  return run(input);
}

/**
 * Prints an error and gives the exit code its class carries. umlab's own errors are the whole
 * story (no stack); anything else, or an InternalError, is a bug and shows its stack.
 * With --json the error is also printed on stdout, as {"error": {"code", "message", ...}}.
 */
function report(err: unknown, json: boolean): number {
  const known = UmlabError.isUmlabError(err) ? err : undefined;
  const bug = !known || known.name === InternalError.name;
  progress(`umlab: ${bug && err instanceof Error ? (err.stack ?? err.message) : (known?.message ?? String(err))}`);
  if (json) {
    const error = known ? known.toJSON() : { code: "Unexpected", message: err instanceof Error ? err.message : String(err) };
    out(JSON.stringify({ error }, null, 2));
  }
  return known?.exitCode ?? ExitCode.failed;
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = report(
      err,
      argv.some((a) => a === "--json" || a.startsWith("--json=")),
    );
  },
);
