import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ImageName as ContainerImageName } from "testcontainers";
import { IMAGE_NAMES, IMAGES_DIR, type ImageName, imageTag } from "../../nodes/images/catalog.js";
import { docker, dockerApi, engineUri } from "./docker.js";

export { IMAGE_NAMES, IMAGES_DIR, type ImageName, imageTag };

/** Where an image is built from: a context laid out like nodes/images, and the tag it gets. */
export interface ImageSource {
  readonly contextDir: string;
  readonly tag: string;
}

/**
 * Builds an image unless a build of the same content exists (the tag is a hash of the content).
 * The base image it starts FROM is made first if missing. Progress lines go to `log`.
 */
export async function ensureImage(
  name: ImageName,
  log: (line: string) => void = () => {},
  from: ImageSource = { contextDir: IMAGES_DIR, tag: imageTag(name) },
): Promise<{ tag: string; builtSeconds?: number }> {
  const client = await docker();
  if (await client.image.exists(ContainerImageName.fromString(from.tag))) return { tag: from.tag };
  await ensureBaseImage(name, log, from.contextDir);
  log(`building image ${from.tag} (first run only; needs the Debian archive)`);
  const { seconds } = await buildImage(name, from, { log });
  return { tag: from.tag, builtSeconds: seconds };
}

/** The last lines of a build's output, kept for the error message. */
const TAIL_LINES = 30;

/** One event of the engine's build stream (legacy builder). */
interface BuildEvent {
  readonly stream?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
}

/**
 * Builds one image through the Docker API of the engine the lab runs on. The context is the
 * image's folder and common/ (what its tag hashes); the legacy builder is used because BuildKit's
 * own images cannot be pulled on an air-gapped machine. Fails with the build's own error message.
 */
export async function buildImage(
  name: ImageName,
  from: ImageSource,
  options: { log?: (line: string) => void; noCache?: boolean } = {},
): Promise<{ seconds: number }> {
  const log = options.log ?? (() => {});
  const api = await dockerApi();
  const src = [name, "common"].filter((dir) => existsSync(join(from.contextDir, dir)));
  const started = Date.now();
  const stream = await api
    .buildImage(
      { context: from.contextDir, src },
      // forcerm: a failed step's container is removed too (the legacy builder keeps it otherwise).
      { t: from.tag, dockerfile: `${name}/Dockerfile`, version: "1", forcerm: true, ...(options.noCache ? { nocache: true } : {}) },
    )
    .catch((err: Error) => {
      throw new Error(`building image ${from.tag} failed: the engine refused the build: ${err.message}`);
    });
  const tail: string[] = [];
  const onEvent = (e: BuildEvent) => {
    for (const line of (e.stream ?? "").split("\n")) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      if (/^Step \d+\/\d+/.test(line)) log(`  ${name}: ${line.slice(0, 120)}`);
    }
  };
  const failure = await new Promise<string | undefined>((resolve) => {
    let error: string | undefined;
    api.modem.followProgress(
      stream,
      (err) => resolve(err ? err.message : error),
      (e: BuildEvent) => {
        if (e.error) error ??= e.errorDetail?.message ?? e.error;
        onEvent(e);
      },
    );
  });
  if (failure !== undefined) {
    throw new Error(
      `building image ${from.tag} failed: ${failure.trim()}. If the base image is missing, run \`bash lab/scripts/make-base-images.sh\`. Last output:\n${tail.join("\n")}`,
    );
  }
  return { seconds: (Date.now() - started) / 1000 };
}

/** Removes an image by tag; a missing one is fine. */
export async function removeImage(tag: string): Promise<void> {
  await (await dockerApi())
    .getImage(tag)
    .remove({ force: true })
    .catch(() => {});
}

/**
 * The image a Dockerfile starts FROM must exist: pulled where a registry answers, else made with
 * debootstrap by lab/scripts/make-base-images.sh (needs root and the Debian archive). The script
 * runs the docker CLI, so it is pointed at the engine umlab found.
 */
async function ensureBaseImage(name: ImageName, log: (line: string) => void, contextDir: string): Promise<void> {
  const dockerfile = readFileSync(join(contextDir, name, "Dockerfile"), "utf8");
  const base = /^FROM\s+(\S+)/m.exec(dockerfile)?.[1];
  const suite = base && /^debian:([a-z]+)-slim$/.exec(base)?.[1];
  if (!base || !suite) return;
  const client = await docker();
  if (await client.image.exists(ContainerImageName.fromString(base))) return;
  log(`base image ${base} is missing; making it (pull, else debootstrap ${suite})`);
  const script = fileURLToPath(new URL("../scripts/make-base-images.sh", import.meta.url));
  const env = { ...process.env, DOCKER_HOST: engineUri(client.container.dockerode) };
  await new Promise<void>((resolve, reject) => {
    const child = spawn("bash", [script, suite], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      for (const l of c.toString().split("\n")) if (l.trim()) log(`  ${l}`);
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`could not make base image ${base} (exit ${code}): ${out.trim().split("\n").slice(-5).join(" | ")}`)),
    );
  });
}
