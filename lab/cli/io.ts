/** Results go to stdout (clean JSON with --json), progress and errors to stderr. */
export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}
