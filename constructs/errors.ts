/**
 * The one error type the model throws. Messages are lowercase and name the field,
 * the bad value and what is allowed, e.g.
 * `user "alice": extension "12a" is invalid; allowed: 2 to 8 digits`.
 */
export class LabModelError extends Error {
  constructor(
    message: string,
    /** every problem found, when more than one was collected (tree validation) */
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
    this.name = "LabModelError";
  }
}

/** Quotes a value for an error message so that empty strings and spaces stay visible. */
export function shown(value: unknown): string {
  return value === undefined ? "undefined" : JSON.stringify(value);
}
