import type { IConstruct } from "constructs";

/**
 * The exit codes of the `umlab` command (README, "Command line"). Each error class carries the one
 * it ends the command with, so the command line maps errors to codes without knowing the classes.
 */
export const ExitCode = {
  ok: 0,
  /** a check, a start or a command failed; no such lab runs */
  failed: 1,
  /** bad command-line input or an invalid lab model: nothing was touched */
  badInput: 2,
  /** the machine lacks what the lab needs (no Docker engine answers) */
  environment: 3,
} as const;

const UMLAB_ERROR = Symbol.for("umlab.UmlabError");

/**
 * Marks an error code (aws-cdk's `lit`): a literal such as lit`UserExtensionInvalid`, never built
 * from values, so that codes stay stable and can be found with grep.
 */
export function lit(strings: TemplateStringsArray, ..._placeholders: never[]): string {
  if (strings.length !== 1) throw new InternalError("ErrorCodeWithPlaceholder", "an error code cannot contain placeholders");
  return strings[0] as string;
}

/**
 * The root of umlab's errors: a stable `code` for tests and scripts, a message for people (lowercase,
 * naming the field, the bad value and what is allowed), and the exit code the command line uses.
 */
export class UmlabError extends Error {
  /** True for umlab's errors, also those of another copy of this module (`instanceof` would not be). */
  static isUmlabError(x: unknown): x is UmlabError {
    return typeof x === "object" && x !== null && UMLAB_ERROR in x;
  }

  readonly exitCode: number = ExitCode.failed;

  constructor(
    /** Stable, UpperCamelCase, e.g. "UserExtensionInvalid": assert this, not the message. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    Object.defineProperty(this, UMLAB_ERROR, { value: true });
    this.name = new.target.name;
  }

  /** What `--json` prints under "error". */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** One finding of a validation rule. */
export interface Problem {
  readonly code: string;
  readonly message: string;
}

/**
 * The lab model is invalid: thrown early by a constructor, or by `UmLab.validateModel()` with
 * every problem of the tree (code "LabModelInvalid"). Nothing is created from an invalid model.
 * e.g. `user "alice": extension "12a" is invalid; allowed: 2 to 8 digits`.
 */
export class LabModelError extends UmlabError {
  override readonly exitCode: number = ExitCode.badInput;

  constructor(
    code: string,
    message: string,
    /** every problem found, each with its code (one, for an error thrown by a constructor) */
    readonly problems: readonly Problem[] = [{ code, message }],
  ) {
    super(code, message);
  }

  override toJSON(): { code: string; message: string; problems: readonly Problem[] } {
    return { ...super.toJSON(), problems: this.problems };
  }
}

/**
 * A "can't happen" failure: a bug in umlab, not in the lab or the input (e.g. a renderer asked for
 * a node that validation guarantees). The command line prints its stack.
 */
export class InternalError extends UmlabError {}

const RULES = new WeakMap<IConstruct, (() => Problem[])[]>();

/**
 * Adds a rule checked once the tree is complete (constructs' `node.addValidation`), keeping each
 * problem's code: `node.validate()` sees the messages, `validationProblems()` the codes too.
 */
export function addModelValidation(scope: IConstruct, rule: () => Problem[]): void {
  RULES.set(scope, [...(RULES.get(scope) ?? []), rule]);
  scope.node.addValidation({ validate: () => rule().map((p) => p.message) });
}

/** A construct's validation problems with their codes ("ValidationFailed" for a plain addValidation). */
export function validationProblems(scope: IConstruct): Problem[] {
  const codes = new Map((RULES.get(scope) ?? []).flatMap((rule) => rule().map((p) => [p.message, p.code] as const)));
  return scope.node.validate().map((message) => ({ code: codes.get(message) ?? "ValidationFailed", message }));
}

/** Quotes a value for an error message so that empty strings and spaces stay visible. */
export function shown(value: unknown): string {
  return value === undefined ? "undefined" : JSON.stringify(value);
}
