import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ImageName as ContainerImageName } from "testcontainers";
import { IMAGE_NAMES, IMAGES_DIR, type ImageName, imageTag } from "../../nodes/images/catalog.js";
import { docker } from "./docker.js";

export { IMAGE_NAMES, IMAGES_DIR, type ImageName, imageTag };

/**
 * Builds an image unless a build of the same content exists. Uses the docker CLI with the
 * legacy builder (BuildKit's own images cannot be pulled on an air-gapped machine) and prints
 * its progress through `log`.
 */
export async function ensureImage(
  name: ImageName,
  log: (line: string) => void = () => {},
  from: { contextDir: string; tag: string } = { contextDir: IMAGES_DIR, tag: imageTag(name) },
): Promise<{ tag: string; builtSeconds?: number }> {
  const { tag, contextDir } = from;
  const client = await docker();
  if (await client.image.exists(ContainerImageName.fromString(tag))) return { tag };
  await ensureBaseImage(name, log, contextDir);
  log(`building image ${tag} (first run only; needs the Debian archive)`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn("docker", ["build", "-t", tag, "-f", join(contextDir, name, "Dockerfile"), contextDir], {
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tail: string[] = [];
    const take = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 30) tail.shift();
        if (/^Step \d+\/\d+/.test(line)) log(`  ${name}: ${line.slice(0, 120)}`);
      }
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (err) => reject(new Error(`could not run the docker CLI to build ${tag}: ${err.message}`)));
    child.on("close", (code) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `building image ${tag} failed (exit ${code}). If the base image is missing, run \`bash lab/scripts/make-base-images.sh\`. Last output:\n${tail.join("\n")}`,
          ),
        );
    });
  });
  return { tag, builtSeconds: (Date.now() - started) / 1000 };
}

/**
 * The image a Dockerfile starts FROM must exist: pulled where a registry answers, else made with
 * debootstrap by lab/scripts/make-base-images.sh (needs root and the Debian archive).
 */
async function ensureBaseImage(name: ImageName, log: (line: string) => void, contextDir: string): Promise<void> {
  const dockerfile = readFileSync(join(contextDir, name, "Dockerfile"), "utf8");
  const base = /^FROM\s+(\S+)/m.exec(dockerfile)?.[1];
  const suite = base && /^debian:([a-z]+)-slim$/.exec(base)?.[1];
  if (!base || !suite) return;
  const client = await docker();
  if (await client.image.exists(ContainerImageName.fromString(base))) return;
  log(`base image ${base} is missing; making it (pull, else debootstrap ${suite})`);
  const script = join(IMAGES_DIR, "..", "scripts", "make-base-images.sh");
  await new Promise<void>((resolve, reject) => {
    const child = spawn("bash", [script, suite], { stdio: ["ignore", "pipe", "pipe"] });
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
