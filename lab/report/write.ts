import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type ReportInput, renderReport } from "./html.js";

/** Writes the report page to `file` (its folder made if needed); returns its size in bytes. */
export async function writeReport(file: string, input: ReportInput): Promise<number> {
  const html = await renderReport(input);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, html);
  return Buffer.byteLength(html);
}
