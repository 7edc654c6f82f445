import { spawn, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { defaultLab } from "../../constructs/index.js";
import { accountPath, parseAccountFile } from "../../nodes/calls/plan.js";
import { parseCloudInit, runStartScript, VM_PATHS } from "../../stacks/cloud-init.js";
import { LabStack } from "../../stacks/lab-stack.js";
import { cachedLabPki, RENEW_DAYS_BEFORE_EXPIRY } from "../../stacks/pki-cache.js";
import { cloudConfigOf } from "../../stacks/rules/custom-data-fits.js";
import { res, synthMode } from "./helpers.js";

const PROJECT = resolve(import.meta.dirname, "../..");
const TSX = join(PROJECT, "node_modules", ".bin", "tsx");
const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(d);
  return d;
}

/** Every file and folder under `dir` with its permission bits. */
function modes(dir: string): { path: string; mode: number; dir: boolean }[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    const s = statSync(path);
    const own = { path, mode: s.mode & 0o777, dir: s.isDirectory() };
    return s.isDirectory() ? [own, ...modes(path)] : [own];
  });
}

/** `npm run synth` (stacks/main.ts without the cdktf CLI) in a project folder of its own. */
function synthIn(project: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TF_VAR_|UMLAB_|CDKTF_)/.test(k)));
    const child = spawn(TSX, [join(PROJECT, "stacks", "main.ts")], { cwd: project, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c;
    });
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

/** Every file each VM's cloud-init installs, decoded, from a synthesized cdk.tf.json. */
function installedFiles(stackJson: string): Map<string, string> {
  const out = new Map<string, string>();
  const vms = (JSON.parse(stackJson) as { resource: Record<string, Record<string, { custom_data: string }>> }).resource
    .azurerm_linux_virtual_machine;
  for (const vm of Object.values(vms ?? {})) {
    for (const [path, content] of parseCloudInit(cloudConfigOf(vm.custom_data) as string).files) out.set(path, content.toString());
  }
  return out;
}

describe("cloud-init keeps keys and passwords owner-only, and removes its staging (issue 8)", () => {
  it("writes every blob and the manifest 0600, installs keys and accounts 0600, and leaves no blob behind", () => {
    const { json } = synthMode("mixed");
    for (const [vm, body] of Object.entries(res(json, "azurerm_linux_virtual_machine"))) {
      const text = cloudConfigOf(body.custom_data) as string;
      const files = (parseYaml(text) as { write_files: { path: string; permissions?: string }[] }).write_files;
      const staged = files.filter((f) => f.path.startsWith(`${VM_PATHS.blobs}/`) || f.path === VM_PATHS.manifest);
      expect(staged.length, vm).toBeGreaterThan(1);
      expect(
        staged.filter((f) => f.permissions !== "0600").map((f) => f.path),
        vm,
      ).toEqual([]);
      const { written } = parseCloudInit(text);
      const manifest = written.get(VM_PATHS.manifest)?.toString().split("\n").filter(Boolean) ?? [];
      const secretLines = manifest.filter((l) => /\.key$|\/secrets\//.test(l));
      expect(
        secretLines.filter((l) => l.split(" ")[1] !== "0600"),
        vm,
      ).toEqual([]);
      if (vm === "phones-vm") expect(secretLines.length, vm).toBeGreaterThan(0);
      expect(runStartScript(written, { EDGE_PUBLIC_IP: "192.0.2.30", HOSTED_UM_PUBLIC_IP: "192.0.2.40" }).staged, vm).toEqual([]);
    }
  });
});

describe("the app on Azure: generated secrets, owner-only output (issue 8)", () => {
  const project = tempDir("umlab-azure-secrets-");
  const out = join(project, "cdktf.out");
  const stackFile = join(out, "stacks", "lab", "cdk.tf.json");
  let first: Awaited<ReturnType<typeof synthIn>>;
  let firstStack: string;
  let second: Awaited<ReturnType<typeof synthIn>>;

  beforeAll(async () => {
    writeFileSync(join(project, "cdktf.json"), JSON.stringify({ app: "npx tsx stacks/main.ts", context: { mode: "mixed" } }));
    // An earlier synth's output with modes anyone could read: the app narrows them.
    mkdirSync(join(out, "stacks", "lab"), { recursive: true, mode: 0o755 });
    writeFileSync(stackFile, "{}", { mode: 0o644 });
    chmodSync(out, 0o755);
    first = await synthIn(project);
    firstStack = readFileSync(stackFile, "utf8");
    second = await synthIn(project);
  }, 120_000);

  it("synthesizes, and says where the users' secrets are", () => {
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(
      /owner-only: it holds keys and passwords; the users' are in \.umlab\/pki\/lab\/users\.json\); policy rules passed\n$/,
    );
  });

  it("writes cdktf.out owner-only: folders 0700, files 0600", () => {
    const all = modes(out);
    expect(all.length).toBeGreaterThan(2);
    expect(all.filter((e) => e.mode !== (e.dir ? 0o700 : 0o600))).toEqual([]);
    expect(statSync(out).mode & 0o777).toBe(0o700);
  });

  it("gives every user a generated password and PIN, kept owner-only beside the lab's PKI, never the documented defaults", () => {
    const file = join(project, ".umlab", "pki", "lab", "users.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const users = JSON.parse(readFileSync(file, "utf8")) as Record<string, { password: string; pin: string }>;
    const model = defaultLab({ mode: "mixed" }).users;
    expect(Object.keys(users).sort()).toEqual(model.map((u) => u.name).sort());
    for (const u of model) {
      expect(users[u.name]?.password).not.toBe(u.password);
      expect(users[u.name]?.password).toMatch(/^[A-Za-z0-9]{20}$/);
      expect(users[u.name]?.pin).toMatch(/^[0-9]{6}$/);
    }
    const files = installedFiles(firstStack);
    // What the VMs get: the phones' accounts and the front end's digest passwords are the generated ones.
    for (const u of model) {
      const account = parseAccountFile(files.get(`${VM_PATHS.nodes}/phone-${u.name}/${accountPath(`phone-${u.name}`)}`) ?? "");
      expect(account).toEqual({ sipUser: u.sipUser, password: users[u.name]?.password, pin: users[u.name]?.pin });
    }
    const everything = [...files.values()].join("\n");
    for (const u of model) expect(everything).not.toContain(u.password);
    expect(files.get(`${VM_PATHS.nodes}/frontend/kamailio.cfg`)).toContain(`"${users.alice?.password}"`);
  });

  it("keeps them from one synth to the next: custom data, and so the VMs, stay as they are", () => {
    expect(second.status).toBe(0);
    expect(readFileSync(stackFile, "utf8")).toBe(firstStack);
  });
});

describe("the Azure lab's certificates are renewed before they expire (issue 8)", () => {
  const expiry = (pem: string) => new Date(new X509Certificate(pem).validTo).getTime();
  const day = 86_400_000;

  it("keeps a cache that stays valid, renews one that expires within the renewal window", () => {
    const root = tempDir("umlab-pki-renew-");
    const parties = LabStack.tlsParties(defaultLab({ mode: "mixed" }));
    const made = cachedLabPki("lab", parties, root);
    const now = Date.now();
    expect(cachedLabPki("lab", parties, root, new Date(now + 100 * day))).toEqual(made);
    const late = new Date(expiry(made.edge?.cert as string) - (RENEW_DAYS_BEFORE_EXPIRY - 1) * day);
    const renewed = cachedLabPki("lab", parties, root, late);
    expect(renewed.edge?.cert).not.toBe(made.edge?.cert);
    expect(renewed.edge?.ca).not.toBe(made.edge?.ca);
    expect(expiry(renewed.edge?.cert as string)).toBeGreaterThan(now + 300 * day);
    // The renewed material is what the cache now holds.
    expect(cachedLabPki("lab", parties, root)).toEqual(renewed);
  });
});

const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;

describe("ssh_source_range is parsed as a CIDR and refused when wider than /8 (issue 8)", () => {
  // terraform plans a configuration holding only the variable: no provider, so nothing to download.
  it.skipIf(!terraform)("Terraform's own check of the synthesized variable", () => {
    const { json } = synthMode("on-premises");
    const variable = (json as unknown as { variable: Record<string, unknown> }).variable.ssh_source_range;
    const dir = tempDir("umlab-tf-ssh-range-");
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ variable: { ssh_source_range: variable } }));
    const plan = (value: string) =>
      spawnSync("terraform", ["plan", "-input=false", "-no-color", `-var=ssh_source_range=${value}`], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" },
      });
    for (const ok of ["198.51.100.7/32", "10.0.0.0/8", "203.0.113.0/24"]) expect(plan(ok).status, ok).toBe(0);
    for (const open of ["0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/7", "::/0", "any", "300.1.1.1/32"]) {
      const r = plan(open);
      expect(r.status, open).not.toBe(0);
      expect(r.stderr.replace(/\s+/g, " "), open).toContain("ssh_source_range must be one IPv4 CIDR range of /8 or narrower");
    }
  });
});
