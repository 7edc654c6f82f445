import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPLOYMENT_MODES, type DeploymentMode, defaultLab, topologyOf } from "../../constructs/index.js";
import type { RenderedFile } from "../../constructs/render/index.js";
import { ensureImage } from "../../lab/runtime/images.js";
import { nodeFiles, tlsParties } from "../../nodes/files.js";
import type { ImageName } from "../../nodes/images/catalog.js";
import { kindOf } from "../../nodes/kinds.js";
import { makeLabPki } from "../../nodes/pki.js";

/*
 * The daemons' own parsers on every mode's files: what each node receives under /etc/umlab (the
 * static files, the files rendered from the model, throwaway TLS material from a lab CA), checked
 * inside the real images with the command lines of their entrypoints, one container per node.
 * Each check has a broken twin that must fail, so a check that cannot fail is noticed.
 */

interface NodeCase {
  readonly mode: DeploymentMode;
  readonly node: string;
  readonly image: ImageName;
  readonly files: RenderedFile[];
}

/** Every node's files of every mode, as the realizations hand them to the node. */
function everyModesFiles(): NodeCase[] {
  return DEPLOYMENT_MODES.flatMap((mode) => {
    const lab = defaultLab({ mode });
    const t = topologyOf(lab);
    const files = nodeFiles(lab, t, makeLabPki(tlsParties(t), 1));
    return t.nodes.map((n) => ({ mode, node: n.name, image: kindOf(n).image, files: files.get(n.name) ?? [] }));
  });
}

/** The same files with one of them changed by `edit`. */
function broken(files: readonly RenderedFile[], path: string, edit: (text: string) => string): RenderedFile[] {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no file ${path} to break`);
  const text = file.content.toString();
  const changed = edit(text);
  if (changed === text) throw new Error(`the edit did not change ${path}`);
  return files.map((f) => (f === file ? { path, content: changed } : f));
}

function writeTree(dir: string, files: readonly RenderedFile[]): void {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
}

/**
 * Runs `script` with sh in a throwaway container of `image`, without a network, the node's files
 * at /etc/umlab (read-only) and an empty /out for the results; returns what the script left in /out.
 */
async function runCheck(
  image: string,
  files: readonly RenderedFile[],
  script: string,
  options: { env?: Record<string, string>; dockerArgs?: string[] } = {},
): Promise<(name: string) => string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), "umlab-config-check-"));
  try {
    writeTree(join(dir, "etc"), files);
    mkdirSync(join(dir, "out"));
    const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    const args = ["run", "--rm", "--network", "none", ...(options.dockerArgs ?? []), ...env];
    args.push("-v", `${join(dir, "etc")}:/etc/umlab:ro`, "-v", `${join(dir, "out")}:/out`, "--entrypoint", "sh", image, "-c", script);
    await new Promise<void>((resolve, reject) =>
      execFile("docker", args, { timeout: 60_000 }, (err, _out, stderr) =>
        err ? reject(new Error(`docker run ${image} failed: ${err.message}\n${stderr}`)) : resolve(),
      ),
    );
    const results = new Map(readdirSync(join(dir, "out")).map((f) => [f, readFileSync(join(dir, "out", f), "utf8")]));
    return (name) => results.get(name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Kamailio and rtpengine (front end, edge)

/*
 * 1. `kamailio -c`: the config parser (includes, #!ifdef, defines, modules' parameters and
 *    functions). It does not initialize modules, so it never reads the edge's tls.cfg.
 * 2. rtpengine has no option that only checks its configuration: it is started as the entrypoint
 *    starts it, and passes when it binds its control port (a config it cannot parse makes it exit).
 * 3. Kamailio is started as the entrypoint starts it, so that every module initializes: the TLS
 *    module reads tls.cfg and loads the certificates then, as the kamailio user, from the private
 *    copy of /etc/umlab the entrypoint makes (rtpengine runs as the rtpengine user, as there). The
 *    node's addresses do not exist in the container; net.ipv4.ip_nonlocal_bind lets Kamailio bind
 *    them anyway. It passes when it has initialized its modules ("processes (at least)") and still
 *    runs a second later, after its children initialized theirs (a failure there ends it at once).
 */
const KAMAILIO_CHECK = `
kamailio -c $KAMAILIO_DEFINES -f /etc/umlab/kamailio.cfg > /out/parse.log 2>&1
echo $? > /out/parse.rc
[ "$(cat /out/parse.rc)" = 0 ] || exit 0
if [ -f /etc/umlab/rtpengine.conf ]; then
  setpriv --reuid=rtpengine --regid=rtpengine --init-groups -- \\
    rtpengine --config-file=/etc/umlab/rtpengine.conf --config-section=rtpengine > /out/rtpengine.log 2>&1 &
  rtp=$!
  port=$(sed -n 's/^listen-ng *= *.*:\\([0-9]*\\)$/\\1/p' /etc/umlab/rtpengine.conf)
  hex=$(printf ':%04X ' "$port")
  status=timeout
  for i in $(seq 100); do
    if grep -q "$hex" /proc/net/udp; then status=0; break; fi
    if ! kill -0 $rtp 2>/dev/null; then wait $rtp; status="exited $?"; break; fi
    sleep 0.1
  done
  echo "$status" > /out/rtpengine.rc
fi
cp -R /etc/umlab /run/umlab && chown -R root:kamailio /run/umlab && chmod -R u=rwX,g=rX,o= /run/umlab
UMLAB_DIALOG_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \\n') \\
  kamailio -DD -E -u kamailio -g kamailio $KAMAILIO_DEFINES -f /run/umlab/kamailio.cfg > /tmp/start.log 2>&1 &
kam=$!
status=timeout
for i in $(seq 100); do
  if ! kill -0 $kam 2>/dev/null; then wait $kam; status="exited $?"; break; fi
  if grep -q "processes (at least)" /tmp/start.log; then
    sleep 1
    if kill -0 $kam 2>/dev/null; then status=0; else wait $kam; status="exited $?"; fi
    break
  fi
  sleep 0.1
done
# the log up to the verdict: stopping Kamailio below logs errors of its own
cp /tmp/start.log /out/start.log
echo "$status" > /out/start.rc
kill $kam \${rtp:-} 2>/dev/null
wait
`;

/** What failed, in the daemons' own words; empty when every check passed. */
async function checkKamailio(image: string, files: readonly RenderedFile[], defines: string[] = []): Promise<{ problems: string[] }> {
  const out = await runCheck(image, files, KAMAILIO_CHECK, {
    env: { KAMAILIO_DEFINES: defines.map((d) => `-A ${d}`).join(" ") },
    dockerArgs: ["--sysctl", "net.ipv4.ip_nonlocal_bind=1"],
  });
  const problems: string[] = [];
  const errors = (log = "") =>
    log
      .split("\n")
      .filter((l) => /ERROR|CRITICAL|Fatal/.test(l))
      .join("\n");
  if (out("parse.rc")?.trim() !== "0") problems.push(`kamailio -c failed:\n${errors(out("parse.log")) || out("parse.log")}`);
  else {
    if (files.some((f) => f.path === "rtpengine.conf") && out("rtpengine.rc")?.trim() !== "0") {
      problems.push(`rtpengine did not start (${out("rtpengine.rc")?.trim()}):\n${out("rtpengine.log")}`);
    }
    if (out("start.rc")?.trim() !== "0") problems.push(`kamailio did not start (${out("start.rc")?.trim()}):\n${errors(out("start.log"))}`);
    else if (errors(out("start.log"))) problems.push(`kamailio logged errors while starting:\n${errors(out("start.log"))}`);
  }
  return { problems };
}

// ---------------------------------------------------------------------------------------------
// Asterisk (on-premises and hosted UM)

/*
 * Asterisk has no "check the configuration" mode, and it is forgiving: a line it cannot parse is
 * logged and skipped, a file it cannot parse is left out, and it starts anyway. So the UM is
 * started by its own entrypoint, and the check compares what Asterisk loaded (dialplan, globals,
 * endpoints, transports, mailboxes, modules) with the files it was given, and reads its log.
 */
const ASTERISK_CHECK = `
/usr/local/bin/umlab-entrypoint > /out/console.log 2>&1 &
ast=$!
i=0
until asterisk -rx "core waitfullybooted" > /dev/null 2>&1; do
  if ! kill -0 $ast 2>/dev/null; then wait $ast; echo "exited $?" > /out/start.rc; exit 0; fi
  i=$((i + 1))
  if [ $i -gt 200 ]; then echo timeout > /out/start.rc; exit 0; fi
  sleep 0.1
done
echo 0 > /out/start.rc
asterisk -rx "dialplan show" > /out/dialplan.txt
asterisk -rx "dialplan show globals" > /out/globals.txt
asterisk -rx "pjsip show endpoints" > /out/endpoints.txt
asterisk -rx "pjsip show transports" > /out/transports.txt
asterisk -rx "voicemail show users" > /out/mailboxes.txt
asterisk -rx "module show" > /out/modules.txt
asterisk -rx "core stop now" > /dev/null
wait $ast
cp /var/log/asterisk/messages.log /out/messages.log
`;

/**
 * Log lines of a healthy UM start that are no configuration problem: optional files umlab does
 * not ship (Asterisk falls back to its defaults), a deprecation notice, and MWI notifications the
 * UM sends at start-up into a container without a network.
 */
const EXPECTED_LOG_LINES = [
  /Unable to load config file '(cdr|cel|features|acl|udptl|pjproject)\.conf'/,
  /Could not find valid ccss\.conf file/,
  /Can't find indications config file indications\.conf/,
  /Module 'res_adsi' has been loaded but may be removed in a future release/,
  /'Network is unreachable' sending NOTIFY request to endpoint mwi-/,
];

function conf(files: readonly RenderedFile[], name: string): string {
  return files.find((f) => f.path === `asterisk/${name}`)?.content.toString() ?? "";
}

/** What the files ask Asterisk to load, counted from the files themselves. */
function asteriskExpectations(files: readonly RenderedFile[]) {
  const dialplan = `${conf(files, "extensions.conf")}\n${conf(files, "umlab-dialplan.conf")}`;
  const lines = (text: string, re: RegExp) => text.split("\n").filter((l) => re.test(l));
  const sections = lines(dialplan, /^\[[^\]]+\]/).map((l) => l.slice(1, l.indexOf("]")));
  const globals =
    dialplan
      .slice(dialplan.search(/^\[globals\]/m))
      .split("\n\n")[0]
      ?.split("\n")
      .slice(1) ?? [];
  const pjsip = conf(files, "pjsip.conf");
  return {
    // every line meant as a priority, whether Asterisk can read it or not
    priorities: lines(dialplan, /^\s*(exten|same)\b/).length,
    contexts: sections.filter((s) => s !== "general" && s !== "globals").length,
    globals: globals.filter((l) => l.includes("=")).length,
    endpoints: lines(pjsip, /^\[[^\]]+\]\(umlab-(peer|mwi)\)/).map((l) => l.slice(1, l.indexOf("]"))),
    transports: lines(pjsip, /^\[[^\]]+\]\(umlab-transport-/).map((l) => l.slice(1, l.indexOf("]"))),
    mailboxes: lines(conf(files, "voicemail.conf"), /^\d+ =>/).length,
    modules: lines(conf(files, "modules.conf"), /^load = /).map((l) => l.slice("load = ".length).trim()),
  };
}

/** What Asterisk did not load or complained about; empty when it loaded everything cleanly. */
async function checkAsterisk(image: string, files: readonly RenderedFile[]): Promise<{ problems: string[] }> {
  const out = await runCheck(image, files, ASTERISK_CHECK);
  if (out("start.rc")?.trim() !== "0") return { problems: [`asterisk did not start (${out("start.rc")?.trim()})`] };
  const want = asteriskExpectations(files);
  const problems = (out("messages.log") ?? "")
    .split("\n")
    .filter((l) => /\b(WARNING|ERROR)\[/.test(l) && !EXPECTED_LOG_LINES.some((re) => re.test(l)))
    .map((l) => `log: ${l}`);
  const summary = /-= \d+ extensions? \(\d+ priorit(?:y|ies)\) in \d+ contexts?\. =-/.exec(out("dialplan.txt") ?? "")?.[0] ?? "no dialplan";
  if (!summary.includes(`(${want.priorities} priorities) in ${want.contexts} contexts`)) {
    problems.push(`dialplan: loaded ${summary}, the files have ${want.priorities} priorities in ${want.contexts} contexts`);
  }
  const globals = /-- (\d+) variable/.exec(out("globals.txt") ?? "")?.[1];
  if (globals !== String(want.globals)) problems.push(`globals: loaded ${globals}, the files have ${want.globals}`);
  for (const e of want.endpoints)
    if (!new RegExp(`Endpoint:\\s+${e}\\s`).test(out("endpoints.txt") ?? "")) problems.push(`endpoint ${e} not loaded`);
  for (const t of want.transports)
    if (!new RegExp(`Transport:\\s+${t}\\s`).test(out("transports.txt") ?? "")) problems.push(`transport ${t} not loaded`);
  const mailboxes = /(\d+) voicemail users configured/.exec(out("mailboxes.txt") ?? "")?.[1];
  if (mailboxes !== String(want.mailboxes)) problems.push(`mailboxes: loaded ${mailboxes}, the files have ${want.mailboxes}`);
  for (const m of want.modules) if (!(out("modules.txt") ?? "").includes(m)) problems.push(`module ${m} not loaded`);
  return { problems };
}

// ---------------------------------------------------------------------------------------------

let cases: NodeCase[] = [];
let kamailioImage = "";
let asteriskImage = "";

beforeAll(async () => {
  kamailioImage = (await ensureImage("kamailio")).tag;
  asteriskImage = (await ensureImage("asterisk")).tag;
  cases = everyModesFiles();
});

afterAll(() => {
  cases = [];
});

const nodesOf = (mode: DeploymentMode, image: ImageName) => cases.filter((c) => c.mode === mode && c.image === image);
const filesOf = (mode: DeploymentMode, node: string): RenderedFile[] => {
  const c = cases.find((x) => x.mode === mode && x.node === node);
  if (!c) throw new Error(`no node ${node} in mode ${mode}`);
  return c.files;
};

describe("Kamailio and rtpengine parse every mode's files", () => {
  it.each(DEPLOYMENT_MODES)("%s: front end and edge pass kamailio -c, start with their TLS and media relay", async (mode) => {
    const nodes = nodesOf(mode, "kamailio");
    expect(nodes.length).toBeGreaterThan(0);
    for (const { node, files } of nodes) expect((await checkKamailio(kamailioImage, files)).problems, node).toEqual([]);
  });

  it("fails when the edge's kamailio.cfg lacks the verification level its route[TRUST] applies", async () => {
    const f = broken(filesOf("mixed", "edge"), "kamailio.cfg", (t) => t.replace(/^#!define VERIFICATION_LEVEL .*$/m, ""));
    const { problems } = await checkKamailio(kamailioImage, f);
    expect(problems.join("\n")).toMatch(/kamailio -c failed:[\s\S]*(parse error|VERIFICATION_LEVEL)/);
  });

  it("fails when the rendered kamailio.cfg lacks a define the static routing file uses", async () => {
    const f = broken(filesOf("mixed", "frontend"), "kamailio.cfg", (t) => t.replace(/^#!define EDGE_URI .*$/m, ""));
    const { problems } = await checkKamailio(kamailioImage, f);
    expect(problems.join("\n")).toMatch(/kamailio -c failed:[\s\S]*parse error in config file/);
  });

  it("fails when tls.cfg is broken (read only when the TLS module starts)", async () => {
    const f = broken(filesOf("mixed", "edge"), "tls.cfg", (t) => t.replace("verify_certificate = yes", "verify_certificate yes"));
    const { problems } = await checkKamailio(kamailioImage, f);
    expect(problems.join("\n")).toMatch(/kamailio did not start \(exited [1-9]\d*\)[\s\S]*tls\.cfg/);
  });

  it("fails when rtpengine.conf is broken", async () => {
    const f = broken(filesOf("mixed", "edge"), "rtpengine.conf", (t) => t.replace("port-min = ", "port-min = lowest "));
    const { problems } = await checkKamailio(kamailioImage, f);
    expect(problems.join("\n")).toMatch(/rtpengine did not start \(exited [1-9]\d*\)[\s\S]*port-min/);
  });
});

describe("Asterisk loads every mode's UM files", () => {
  it.each(DEPLOYMENT_MODES)(
    "%s: every UM loads all its dialplan, endpoints, mailboxes and modules without a config error",
    async (mode) => {
      const nodes = nodesOf(mode, "asterisk");
      expect(nodes.length).toBeGreaterThan(0);
      for (const { node, files } of nodes) expect((await checkAsterisk(asteriskImage, files)).problems, node).toEqual([]);
    },
  );

  it("fails when a dialplan line is broken", async () => {
    const f = broken(filesOf("mixed", "hosted-um"), "asterisk/umlab-dialplan.conf", (t) =>
      t.replace(" same => n,Answer()", " same n,Answer()"),
    );
    const { problems } = await checkAsterisk(asteriskImage, f);
    expect(problems.join("\n")).toMatch(/dialplan: loaded .* the files have/);
  });
});
