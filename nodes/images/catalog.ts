import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** nodes/images: one folder per image, plus common/ shared by all; it is the build context. */
export const IMAGES_DIR = dirname(fileURLToPath(import.meta.url));

export type ImageName = "kamailio" | "asterisk" | "sipp" | "dns";
export const IMAGE_NAMES: readonly ImageName[] = ["kamailio", "asterisk", "sipp", "dns"];

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? filesUnder(p) : [p];
    })
    .sort();
}

/** The build context of an image: its folder and common/, as paths relative to nodes/images. */
export function imageSources(name: ImageName): { path: string; content: Buffer }[] {
  return [...filesUnder(join(IMAGES_DIR, name)), ...filesUnder(join(IMAGES_DIR, "common"))].map((f) => ({
    path: relative(IMAGES_DIR, f),
    content: readFileSync(f),
  }));
}

/** The image tag: a hash of its build context, so an unchanged image is reused. */
export function imageTag(name: ImageName): string {
  return tagOf(name, imageSources(name));
}

/** The tag of an image built from these sources (paths relative to the build context). */
export function tagOf(name: ImageName, sources: readonly { path: string; content: Buffer }[]): string {
  const h = createHash("sha256");
  for (const f of [...sources].sort((a, b) => a.path.localeCompare(b.path))) {
    h.update(f.path);
    h.update(f.content);
  }
  return `umlab-${name}:${h.digest("hex").slice(0, 12)}`;
}
