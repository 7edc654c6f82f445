import { ExitCode, UmlabError } from "../constructs/errors.js";

/** Bad command-line input (an option, an argument, a lab file): printed without a stack, exit code 2. */
export class UsageError extends UmlabError {
  override readonly exitCode: number = ExitCode.badInput;
}
