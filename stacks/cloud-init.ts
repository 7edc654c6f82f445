import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { Document, parse, type YAMLSeq } from "yaml";
import type { RenderedFile } from "../constructs/render/index.js";
import type { TopologyNode } from "../constructs/topology.js";
import { isSecretFile } from "../nodes/files.js";
import { type ImageName, imageSources, imageTag } from "../nodes/images/catalog.js";
import { kindOf } from "../nodes/kinds.js";
import { vmContainer } from "./call-checks.js";

/** Where cloud-init puts things on a VM. */
export const VM_PATHS = {
  images: "/opt/umlab/images",
  nodes: "/opt/umlab/nodes",
  blobs: "/opt/umlab/blobs",
  manifest: "/opt/umlab/files.manifest",
  start: "/opt/umlab/start.sh",
  env: "/opt/umlab/public.env",
} as const;

/**
 * Placeholders for addresses only Azure knows at deploy time (public IPs). The renderers write
 * them like any address; start.sh replaces them on the VM from public.env, and the twin run
 * replaces them with its own stand-ins.
 */
export const PUBLIC_PLACEHOLDERS = { edge: "@@EDGE_PUBLIC_IP@@", "hosted-um": "@@HOSTED_UM_PUBLIC_IP@@" } as const;
const ENV_NAME = { edge: "EDGE_PUBLIC_IP", "hosted-um": "HOSTED_UM_PUBLIC_IP" } as const;

export interface VmWorkload {
  /** the nodes (containers) this VM runs */
  readonly nodes: readonly TopologyNode[];
  /** node name -> files for /etc/umlab of that node */
  readonly files: ReadonlyMap<string, readonly RenderedFile[]>;
  /** public addresses, as Terraform references, written to public.env */
  readonly publicAddresses: Partial<Record<keyof typeof PUBLIC_PLACEHOLDERS, string>>;
  /** further files for the VM itself (e.g. the phones VM's call-check script) */
  readonly extraFiles?: readonly { path: string; content: string; mode: string }[];
}

/** One entry of cloud-init's `write_files`. */
interface WriteFile {
  readonly path: string;
  readonly encoding?: "gz+b64";
  readonly permissions?: string;
  readonly content: string;
}

/** The part of cloud-init's cloud-config schema umlab writes. */
interface CloudConfig {
  readonly package_update: boolean;
  readonly packages: string[];
  readonly write_files: WriteFile[];
  readonly runcmd: string[][];
}

/** cloud-init recognizes user data as a cloud-config by its first line. */
const HEADER = "#cloud-config\n# umlab: the same images and rendered configuration as the local lab (see README, Azure).\n";

const gzipped = (content: Buffer | string): WriteFile["content"] => gzipSync(content, { level: 9 }).toString("base64");

/**
 * The VM's cloud-config: Docker from the Debian archive, the image sources and every node's
 * rendered files (base64, so that no Terraform interpolation can touch them), and start.sh that
 * builds the images and runs each node with host networking: the VM's NIC addresses are the
 * model's addresses, as the containers' are locally. Written with a YAML library; the public
 * addresses (Terraform references) sit in public.env as a literal block.
 */
export function cloudInit(w: VmWorkload): string {
  const images = [...new Set(w.nodes.map((n) => kindOf(n).image))].sort() as ImageName[];
  const files: { path: string; content: Buffer; mode: string }[] = [];
  for (const image of images) {
    for (const f of imageSources(image))
      files.push({ path: `${VM_PATHS.images}/${f.path}`, content: f.content, mode: f.path.endsWith(".sh") ? "0755" : "0644" });
  }
  for (const node of w.nodes) {
    for (const f of w.files.get(node.name) ?? []) {
      files.push({
        path: `${VM_PATHS.nodes}/${node.name}/${f.path}`,
        content: Buffer.from(f.content),
        mode: isSecretFile(f.path) ? "0600" : "0644",
      });
    }
  }
  for (const f of w.extraFiles ?? []) files.push({ path: f.path, content: Buffer.from(f.content), mode: f.mode });
  // Each distinct content is written once, gzipped (phones share scenarios and the test tone; the
  // greetings are alike); start.sh installs every path from the manifest.
  const blobs = new Map<string, Buffer>();
  const manifest: string[] = [];
  for (const f of new Map(files.map((x) => [x.path, x])).values()) {
    const sha = createHash("sha256").update(f.content).digest("hex").slice(0, 16);
    blobs.set(sha, f.content);
    manifest.push(`${sha} ${f.mode} ${f.path}`);
  }
  const env = Object.entries(w.publicAddresses).map(([node, ip]) => `${ENV_NAME[node as keyof typeof ENV_NAME]}=${ip}`);
  const config: CloudConfig = {
    package_update: true,
    packages: ["docker.io"],
    write_files: [
      // Blobs hold keys and passwords: owner-only, and start.sh removes them once installed.
      ...[...blobs].map(
        ([sha, content]): WriteFile => ({
          path: `${VM_PATHS.blobs}/${sha}`,
          encoding: "gz+b64",
          permissions: "0600",
          content: gzipped(content),
        }),
      ),
      { path: VM_PATHS.manifest, encoding: "gz+b64", permissions: "0600", content: gzipped(`${manifest.join("\n")}\n`) },
      { path: VM_PATHS.start, encoding: "gz+b64", permissions: "0755", content: gzipped(startScript(w.nodes, images)) },
      {
        path: VM_PATHS.env,
        permissions: "0644",
        content: `${env.length > 0 ? env.join("\n") : "# no public addresses on this VM's nodes"}\n`,
      },
    ],
    runcmd: [["bash", VM_PATHS.start]],
  };
  const doc = new Document(config);
  for (const path of [["packages"], ["runcmd", 0]]) (doc.getIn(path, true) as YAMLSeq).flow = true;
  // lineWidth 0: never fold a line (the base64 blobs are long; a Terraform reference must stay whole).
  // Single quotes: cdktf refuses a double quote inside a Terraform function's string argument.
  return HEADER + doc.toString({ lineWidth: 0, blockQuote: "literal", flowCollectionPadding: false, singleQuote: true });
}

function startScript(nodes: readonly TopologyNode[], images: readonly ImageName[]): string {
  // $R is empty on the VM; a test sets UMLAB_ROOT to run the script in a scratch folder.
  const p = (path: string) => `"$R${path}"`;
  const subst = Object.entries(PUBLIC_PLACEHOLDERS)
    .map(([node, ph]) => {
      const env = ENV_NAME[node as keyof typeof ENV_NAME];
      return `grep -rlF '${ph}' ${p(VM_PATHS.nodes)} | xargs -r sed -i "s/${ph}/\${${env}:-${ph}}/g" || true`;
    })
    .join("\n");
  const builds = images.map((i) => `docker build -t ${imageTag(i)} -f ${p(`${VM_PATHS.images}/${i}/Dockerfile`)} ${p(VM_PATHS.images)}`);
  const runs = nodes.map((n) => {
    const addrs = Object.values(n.addresses).join(" ");
    return `docker rm -f ${vmContainer(n.name)} >/dev/null 2>&1 || true
docker run -d --restart unless-stopped --name ${vmContainer(n.name)} --network host \\
  -e UMLAB_NODE=${n.name} -e UMLAB_ADDRESSES="${addrs}" \\
  -v ${p(`${VM_PATHS.nodes}/${n.name}`)}:/etc/umlab:ro ${imageTag(kindOf(n).image)}`;
  });
  return `#!/bin/bash
# Written by cloud-init from the umlab model: builds the lab images and starts this VM's nodes.
set -euo pipefail
R=\${UMLAB_ROOT:-}
set -a; . ${p(VM_PATHS.env)}; set +a
while read -r sha mode path; do install -D -m "$mode" ${p(VM_PATHS.blobs)}/"$sha" "$R$path"; done < ${p(VM_PATHS.manifest)}
# Installed where they belong (keys and accounts 0600): the staged copies go.
rm -rf ${p(VM_PATHS.blobs)} ${p(VM_PATHS.manifest)}
# Public addresses are only known once Azure allocates them (a file without any is left alone).
${subst}
systemctl enable --now docker
${builds.join("\n")}
${runs.join("\n")}
`;
}

/**
 * Reads a cloud-config back (with the YAML library): every file it installs (paths from the
 * manifest, plus the files it writes directly), its public.env as variables, and `written`, what
 * cloud-init itself writes, decoded. For the synth tests and the twin run.
 */
export function parseCloudInit(text: string): { files: Map<string, Buffer>; env: Record<string, string>; written: Map<string, Buffer> } {
  const config = parse(text) as Partial<CloudConfig> | null;
  const written = new Map<string, Buffer>();
  for (const f of config?.write_files ?? []) {
    written.set(f.path, f.encoding === "gz+b64" ? gunzipSync(Buffer.from(f.content, "base64")) : Buffer.from(f.content));
  }
  const env: Record<string, string> = {};
  for (const line of (written.get(VM_PATHS.env)?.toString() ?? "").split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0 && !line.startsWith("#")) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const files = new Map<string, Buffer>();
  for (const line of (written.get(VM_PATHS.manifest)?.toString() ?? "").split("\n").filter(Boolean)) {
    const [sha, , path] = line.split(" ");
    const blob = written.get(`${VM_PATHS.blobs}/${sha}`);
    if (path && blob) files.set(path, blob);
  }
  const start = written.get(VM_PATHS.start);
  if (start) files.set(VM_PATHS.start, start);
  return { files, env, written };
}

/** One `docker` command start.sh ran, as its arguments. */
export type DockerCall = readonly string[];

/**
 * Runs a VM's start.sh as cloud-init would, but in a scratch folder with `docker` and `systemctl`
 * stubbed: returns the files it installed under /opt/umlab/nodes (placeholders filled from `env`),
 * every docker command it ran, and the staging paths it left behind (none, when it cleans up). The twin run and the synth tests use it, so a broken start.sh
 * fails the tests.
 */
export function runStartScript(
  written: ReadonlyMap<string, Buffer>,
  env: Record<string, string>,
): { files: Map<string, Buffer>; docker: DockerCall[]; staged: string[] } {
  const root = mkdtempSync(join(tmpdir(), "umlab-vm-"));
  try {
    for (const [path, content] of written) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    writeFileSync(
      join(root, VM_PATHS.env),
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(""),
    );
    const bin = join(root, "stub-bin");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "docker"),
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done >> "${root}/docker.calls"\necho --- >> "${root}/docker.calls"\n`,
      { mode: 0o755 },
    );
    writeFileSync(join(bin, "systemctl"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const r = spawnSync("bash", [join(root, VM_PATHS.start)], {
      env: { ...process.env, UMLAB_ROOT: root, PATH: `${bin}:${process.env.PATH ?? ""}` },
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`start.sh failed (exit ${r.status}): ${r.stderr.trim().split("\n").slice(-5).join(" | ")}`);
    const files = new Map<string, Buffer>();
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const full = join(dir, f);
        if (statSync(full).isDirectory()) walk(full);
        else files.set(full.slice(root.length), readFileSync(full));
      }
    };
    if (existsSync(join(root, VM_PATHS.nodes))) walk(join(root, VM_PATHS.nodes));
    const calls = existsSync(join(root, "docker.calls")) ? readFileSync(join(root, "docker.calls"), "utf8") : "";
    const docker = calls
      .split("---\n")
      .filter(Boolean)
      .map((c) => c.replace(/\n$/, "").split("\n"));
    // What cloud-init staged (blobs, manifest) and start.sh left on the VM afterwards.
    const staged = [VM_PATHS.blobs, VM_PATHS.manifest].filter((p) => existsSync(join(root, p)));
    return { files, docker, staged };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
