import { dockerApi } from "./docker.js";

/** A one-file tar archive (ustar), enough for Docker's putArchive. */
function tarOf(name: string, content: Buffer, mode = 0o644): Buffer {
  const header = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number) => header.write(value, offset, length, "ascii");
  const octal = (n: number, length: number) => `${n.toString(8).padStart(length - 1, "0")}\0`;
  field(name, 0, 100);
  field(octal(mode, 8), 100, 8);
  field(octal(0, 8), 108, 8);
  field(octal(0, 8), 116, 8);
  field(octal(content.length, 12), 124, 12);
  field(octal(Math.floor(Date.now() / 1000), 12), 136, 12);
  field("        ", 148, 8); // checksum placeholder
  field("0", 156, 1);
  field("ustar\0", 257, 6);
  field("00", 263, 2);
  let sum = 0;
  for (const b of header) sum += b;
  field(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

/** Writes one file into a container (any size; exec arguments are limited to 128 KiB), running or not. */
export async function putFile(container: string, path: string, content: Buffer, mode = 0o644): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = path.slice(0, slash) || "/";
  await (await dockerApi()).getContainer(container).putArchive(tarOf(path.slice(slash + 1), content, mode), { path: dir });
}
