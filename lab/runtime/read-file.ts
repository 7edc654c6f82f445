import { extract } from "tar-stream";
import { dockerApi } from "./docker.js";

/** One file out of a container, running or stopped: the engine hands it over as a tar archive. */
export async function readContainerFile(container: string, path: string): Promise<Buffer> {
  const archive = await (await dockerApi()).getContainer(container).getArchive({ path });
  const ex = extract();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (_header, stream, next) => {
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", next);
      stream.resume();
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  archive.pipe(ex);
  await done;
  return Buffer.concat(chunks);
}
