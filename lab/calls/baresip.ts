import { randomBytes } from "node:crypto";
import { sineSamples, wavFile } from "../../constructs/render/audio.js";
import { nodeOf, PHONE_PORTS, type Topology, type TopologyUser } from "../../constructs/topology.js";
import { TEST_TONE_HZ } from "../../nodes/calls/media.js";
import { frontEndTarget, userIn } from "../../nodes/calls/plan.js";
import type { StartedLocalLab } from "../runtime/local-lab.js";
import { putFile } from "../runtime/put-file.js";

/**
 * A real SIP user agent in a user's phone container: baresip from Debian, run headless. It
 * registers at the front end, subscribes to message waiting (its mwi module, RFC 3842), and plays
 * a WAV file of the test tone as its microphone when it calls. It is driven through its ctrl_tcp
 * socket (JSON in netstrings, on the container's loopback) and read from its log (-s: SIP trace).
 */

/** ctrl_tcp's port, on the phone container's loopback only. */
const CTRL_PORT = 4444;
/** Seconds of tone before the recording starts: the UM's greeting and beep take about two. */
const GREETING_SECONDS = 2.5;

export interface BaresipOptions {
  /** Seconds of test tone recorded when it calls voice mail (the WAV is longer by the greeting). @default 3 */
  readonly toneSeconds?: number;
  /** Seconds after which baresip quits by itself, whatever happens. @default 60 */
  readonly lifetimeSeconds?: number;
}

/** What one message-waiting NOTIFY of the subscription told baresip (the mwi module logs its body). */
export interface MwiNotice {
  readonly messagesWaiting: boolean;
  readonly newMessages: number;
  readonly oldMessages: number;
}

/** baresip's config: SIP and RTP on the ports kept for it, the tone as microphone, what it hears to a file. */
export function baresipConfig(ip: string, dir: string): string {
  const rtp = PHONE_PORTS.realPhoneMedia;
  return `# umlab real phone (baresip), written by the call driver
poll_method epoll
sip_listen ${ip}:${PHONE_PORTS.realPhoneSip.from}
rtp_ports ${rtp.from}-${rtp.to}
audio_source aufile,${dir}/tone.wav
audio_player aufile,${dir}/heard.wav
audio_alert aufile,${dir}/alert.wav
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module_tmp account.so
module_app menu.so
module_app mwi.so
module_app ctrl_tcp.so
ctrl_tcp_listen 127.0.0.1:${CTRL_PORT}
`;
}

/**
 * The account line of a user (baresip's accounts syntax): the SIP URI, digest credentials, the
 * front end as outbound proxy, G.711 only, message waiting on.
 */
export function baresipAccount(t: Topology, u: TopologyUser): string {
  for (const v of [u.sipUser, u.password]) {
    if (/[;"<>\s]/.test(v)) throw new Error(`${JSON.stringify(v)} cannot be written into a baresip account line`);
  }
  return `<sip:${u.sipUser}@${t.sipDomain}>;auth_user=${u.sipUser};auth_pass=${u.password};outbound="sip:${frontEndTarget(t)}";regint=300;audio_codecs=PCMU,PCMA;mwi=yes`;
}

/** The message-waiting NOTIFYs of the subscription, in order, from baresip's log. */
export function mwiNotices(log: string): MwiNotice[] {
  const out: MwiNotice[] = [];
  for (const m of log.matchAll(/----- MWI for \S+ -----\r?\n((?:.+\r?\n)+)/g)) {
    const body = m[1] ?? "";
    const vm = /^Voice-Message:\s*(\d+)\/(\d+)/im.exec(body);
    out.push({
      messagesWaiting: /^Messages-Waiting:\s*yes/im.test(body),
      newMessages: Number(vm?.[1] ?? -1),
      oldMessages: Number(vm?.[2] ?? -1),
    });
  }
  return out;
}

/** The responses in ctrl_tcp's output (netstrings of JSON: events, then the command's response). */
function ctrlResponse(output: string, token: string): { ok: boolean; data: string } | undefined {
  let rest = output;
  for (let m = /^(\d+):/.exec(rest); m; m = /^(\d+):/.exec(rest)) {
    const start = (m[1] as string).length + 1;
    const json = rest.slice(start, start + Number(m[1]));
    rest = rest.slice(start + Number(m[1]) + 1);
    try {
      const o = JSON.parse(json) as { response?: boolean; ok?: boolean; data?: string; token?: string };
      if (o.response && o.token === token) return { ok: o.ok === true, data: o.data ?? "" };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * One ctrl_tcp exchange in bash: the command's JSON is read from a file (it may hold the account's
 * password, which must not appear on a command line), sent as a netstring, and the output read
 * until the response bearing our token.
 */
const CTRL_SCRIPT = `j=$(cat "$1") && rm -f "$1" || exit 2
exec 3<>/dev/tcp/127.0.0.1/${CTRL_PORT} || exit 3
printf '%d:%s,' "\${#j}" "$j" >&3
while IFS= read -r -d , c <&3; do printf '%s,' "$c"; case $c in *"\\"token\\":\\"$2\\""*) exit 0;; esac; done
exit 4`;

/** A baresip process running in a user's phone container. */
export class Baresip {
  /**
   * Writes the config directory into the user's phone container and starts baresip with no
   * account: `register()` adds it once the process runs (see there why).
   */
  static async start(lab: StartedLocalLab, userName: string, options: BaresipOptions = {}): Promise<Baresip> {
    const user = userIn(lab.topology, userName);
    const node = nodeOf(lab.topology, user.phone);
    const dir = `/tmp/umlab-baresip-${randomBytes(4).toString("hex")}`;
    const lifetime = options.lifetimeSeconds ?? 60;
    const tone = wavFile(sineSamples(TEST_TONE_HZ, GREETING_SECONDS + (options.toneSeconds ?? 3), 0.3));
    await lab.exec(node.name, ["mkdir", "-m", "700", "-p", dir]);
    await putFile(node.container, `${dir}/config`, Buffer.from(baresipConfig(node.addresses.corp as string, dir)));
    await putFile(node.container, `${dir}/accounts`, Buffer.from("# added at run time (uanew)\n"));
    await putFile(node.container, `${dir}/tone.wav`, tone);
    // -s: SIP trace in the log; -t: quits by itself; KILL: bounded even if it hangs.
    const run = `exec timeout -s KILL ${lifetime + 5} baresip -f ${dir} -s -t ${lifetime} > ${dir}/baresip.log 2>&1`;
    const exited = lab.exec(node.name, ["sh", "-c", run]);
    const phone = new Baresip(lab, user, node.name, dir, exited);
    await phone.waitForControl();
    return phone;
  }

  private constructor(
    private readonly lab: StartedLocalLab,
    readonly user: TopologyUser,
    readonly node: string,
    readonly dir: string,
    private readonly exited: Promise<{ exitCode: number; output: string }>,
  ) {}

  /** One command through ctrl_tcp (the menu module's commands: uanew, dial, hangup, quit, ...). */
  async command(command: string, params = ""): Promise<{ ok: boolean; data: string }> {
    const token = `umlab${randomBytes(3).toString("hex")}`;
    const file = `${this.dir}/ctrl-${token}.json`;
    await putFile(nodeOf(this.lab.topology, this.node).container, file, Buffer.from(JSON.stringify({ command, params, token })), 0o600);
    const r = await this.lab.exec(this.node, ["timeout", "5", "bash", "-c", CTRL_SCRIPT, "ctrl", file, token]);
    return (
      ctrlResponse(r.output, token) ?? { ok: false, data: `no response to ${command} (exit ${r.exitCode}): ${r.output.slice(0, 200)}` }
    );
  }

  private async waitForControl(): Promise<void> {
    const until = Date.now() + 5000;
    for (;;) {
      const r = await this.command("about");
      if (r.ok) return;
      if (Date.now() > until) throw new Error(`baresip in ${this.node} does not answer on ctrl_tcp: ${r.data}\n${await this.log()}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  /**
   * Adds the user's account, which registers and then subscribes to message waiting. Added at run
   * time, not from the accounts file: baresip 1.1.0's mwi module re-subscribes in an endless loop
   * when the registration succeeds before its start-up timer has run (a race at start-up).
   */
  register(): Promise<{ ok: boolean; data: string }> {
    return this.command("uanew", baresipAccount(this.lab.topology, this.user));
  }

  /** Places a call (the tone WAV is the microphone; baresip hangs up when it ends). */
  dial(uri: string): Promise<{ ok: boolean; data: string }> {
    return this.command("dial", uri);
  }

  /** baresip's log so far: its SIP trace, call progress and the message-waiting NOTIFYs. */
  async log(): Promise<string> {
    return (await this.lab.exec(this.node, ["cat", `${this.dir}/baresip.log`])).output;
  }

  /** Polls the log until `test` holds (returns the log), or `timeoutMs` passes (returns undefined). */
  async waitForLog(test: (log: string) => boolean, timeoutMs: number): Promise<string | undefined> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const log = await this.log();
      if (test(log)) return log;
      if (Date.now() > until) return undefined;
      await new Promise((res) => setTimeout(res, 250));
    }
  }

  /** Quits (unsubscribes, unregisters), waits for the process to end, and returns its whole log. */
  async quit(): Promise<string> {
    await this.command("quit");
    await this.exited;
    const log = await this.log();
    await this.lab.exec(this.node, ["rm", "-rf", this.dir]);
    return log;
  }
}
