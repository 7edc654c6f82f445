import { readWav } from "../../constructs/render/audio.js";
import { pathLabel, policyLabel, type RoutingTable } from "../../constructs/routes.js";
import type { Topology } from "../../constructs/topology.js";
import { TEST_TONE_HZ } from "../../nodes/calls/media.js";
import { htmlPage } from "../../nodes/graph/page.js";
import { renderSvg, xml } from "../../nodes/graph/svg.js";
import { topologyDiagram } from "../../nodes/graph/topology-diagram.js";
import type { CheckResult } from "../calls/checks.js";
import { spectrumSvg, waveformSvg } from "./audio-figure.js";
import type { DepositRecording } from "./recordings.js";
import { spectrumOf } from "./spectrum.js";

/** A check's calls as a ladder, drawn already (SVG), with what a failed check needs to say where it stopped. */
export interface CallLadder {
  readonly svg: string;
  /** the parties, left to right */
  readonly parties: readonly string[];
  /** the last message seen, e.g. "INVITE frontend -> onprem-um" */
  readonly lastMessage?: string;
  /** the id the SVG links that message to, so a failed check's last arrow can be marked */
  readonly lastMessageId?: string;
}

/** Everything one report page shows. */
export interface ReportInput {
  readonly topology: Topology;
  readonly routes?: RoutingTable;
  /** why the routing table is missing, when it is */
  readonly routesMissing?: string;
  readonly results: readonly CheckResult[];
  readonly recordings: ReadonlyMap<CheckResult, DepositRecording>;
  readonly ladders?: ReadonlyMap<CheckResult, CallLadder>;
  /** what the calls section says when there are no ladders */
  readonly laddersMissing?: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

const CSS = `
.summary span{display:inline-block;padding:2px 10px;border-radius:12px;margin-right:6px;font-weight:600}
.pass{background:#e3f4e6;color:#1f6b35}.fail{background:#fbe3e3;color:#9b1c1c}
tr.check.failed td{background:#fdecec}tr.check.failed td.result{color:#9b1c1c;font-weight:700}
tr.check.passed td.result{color:#1f6b35;font-weight:700}
.call{border:1px solid #e3e8ee;border-radius:8px;padding:10px 14px;margin:14px 0}
.call.failed{border-color:#e8a0a0;background:#fffafa}
.call h3{font-size:15px;margin:0 0 6px}.diagnosis{margin:6px 0}
.call.failed .diagnosis,.stopped{color:#9b1c1c;font-weight:600}.ladder{margin-top:6px}
dl.why{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:4px 0}dl.why dt{font-weight:600}dl.why dd{margin:0}
details.messages{margin-top:6px}details.messages pre{background:#f6f8fa;padding:6px;overflow:auto;font-size:11px}
.recording{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start;margin-top:8px}
.recording audio{width:320px;display:block;margin:6px 0}.recording svg{display:block}.note{color:#5b6775;font-style:italic}
`;

function routesSection(input: ReportInput): string {
  const r = input.routes;
  if (!r) return `<p class="note">${xml(input.routesMissing ?? "The routing table is not known for this lab.")}</p>`;
  const rows = r.users.map(
    (u) =>
      `<tr><td>${xml(u.user)} <span class="mono">${xml(u.extension)}</span></td><td>${u.mailbox === "hosted" ? `hosted, tenant ${xml(u.tenant)}` : "on-premises"}</td>` +
      `<td>${xml(policyLabel(u.policy))}${u.policy && !u.policy.inUse ? " <i>(unused)</i>" : ""}</td><td>${xml(u.policy?.destination ?? "-")}</td>` +
      `<td>${xml(u.policy?.organization ?? "-")}</td><td>${xml(pathLabel(u.path))}</td><td class="mono">${xml(u.requestUri)}</td></tr>`,
  );
  return `<table class="routes"><thead><tr><th>user</th><th>mailbox</th><th>policy (scope)</th><th>destination</th><th>organization</th><th>path</th><th>Request-URI</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function checksSection(results: readonly CheckResult[]): string {
  const rows = results.map((r, i) => {
    const failed = r.result !== "Success";
    return (
      `<tr class="check ${failed ? "failed" : "passed"}" data-result="${r.result}" id="row-${i + 1}"><td>${i + 1}</td>` +
      `<td><a href="#call-${i + 1}">${xml(r.check)}</a></td><td>${xml(r.target)}</td><td class="result">${failed ? "FAIL" : "PASS"}</td>` +
      `<td>${r.latencyMs} ms</td><td>${xml(r.diagnosis)}</td></tr>`
    );
  });
  return `<table class="checks"><thead><tr><th>#</th><th>check</th><th>target</th><th>result</th><th>latency</th><th>diagnosis</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function recordingHtml(rec: DepositRecording): string {
  const { samples, sampleRate } = readWav(rec.wav);
  const where = `${rec.node} ${rec.tenant}/${rec.mailbox} ${rec.folder} ${rec.id}, from ${rec.caller}, ${rec.durationSeconds} s`;
  return (
    `<div class="recording"><div><div class="mono">${xml(where)}</div>` +
    `<audio controls preload="metadata" src="data:audio/wav;base64,${rec.wav.toString("base64")}"></audio>` +
    `${waveformSvg(samples, sampleRate)}</div>${spectrumSvg(spectrumOf(samples, sampleRate), TEST_TONE_HZ)}</div>`
  );
}

function callSection(r: CheckResult, i: number, input: ReportInput): string {
  const failed = r.result !== "Success";
  const ladder = input.ladders?.get(r);
  const rec = input.recordings.get(r);
  const why = [
    ["hop", r.hop],
    ["cause", r.cause],
    ["fault active", r.scenario],
  ].filter((x): x is [string, string] => !!x[1]);
  const whyHtml = why.length ? `<dl class="why">${why.map(([k, v]) => `<dt>${k}</dt><dd>${xml(v)}</dd>`).join("")}</dl>` : "";
  const stopped = failed && ladder?.lastMessage ? `<p class="stopped">The ladder stopped at: ${xml(ladder.lastMessage)}</p>` : "";
  // The arrow where a failed call stopped, in red and thick (the ladder's own SVG links each arrow to its message).
  const mark =
    failed && ladder?.lastMessageId
      ? `<style>#call-${i + 1} a.msg[href="#${ladder.lastMessageId}"] line{stroke:#b3261e;stroke-width:2.2;stroke-dasharray:6 3}#call-${i + 1} a.msg[href="#${ladder.lastMessageId}"] text{fill:#b3261e;font-weight:bold}</style>`
      : "";
  const ladderHtml = ladder
    ? `<div class="figure ladder">${ladder.svg}</div>`
    : `<p class="note">${xml(input.laddersMissing ?? "No ladder for this check.")}</p>`;
  return (
    `<section class="call ${failed ? "failed" : "passed"}" id="call-${i + 1}" data-result="${r.result}">` +
    `<h3>${i + 1}. ${xml(r.check)}: ${xml(r.target)} <span class="${failed ? "fail" : "pass"}">${failed ? "FAIL" : "PASS"}</span></h3>` +
    `<p class="diagnosis">${xml(r.diagnosis)}</p>${whyHtml}${stopped}${mark}${ladderHtml}${rec ? recordingHtml(rec) : ""}</section>`
  );
}

/**
 * The report of a check run as one self-contained HTML page: the topology (SVG), the routing
 * table, the checks table (a failed row is marked), then per check its ladder, and for deposits
 * the recording (player with the WAV inline, waveform, spectrum with the test tone marked).
 */
export async function renderReport(input: ReportInput): Promise<string> {
  const t = input.topology;
  const failed = input.results.filter((r) => r.result !== "Success").length;
  const title = `umlab report: ${t.mode} lab "${t.instance}"`;
  const seconds = ((input.finishedAt.getTime() - input.startedAt.getTime()) / 1000).toFixed(0);
  const body = [
    `<h1>${xml(title)}</h1>`,
    `<p class="sub">SIP domain ${xml(t.sipDomain)}; checks run ${input.startedAt.toISOString()} for ${seconds} s.</p>`,
    `<p class="summary"><span class="pass">${input.results.length - failed} passed</span><span class="fail">${failed} failed</span></p>`,
    `<h2 id="topology">Topology</h2><div class="figure">${await renderSvg(topologyDiagram(t, input.routes), "topology")}</div>`,
    `<h2 id="routes">Routing table</h2>${routesSection(input)}`,
    `<h2 id="checks">Checks</h2>${checksSection(input.results)}`,
    `<h2 id="calls">Calls</h2>`,
    ...input.results.map((r, i) => callSection(r, i, input)),
  ];
  return htmlPage(title, body.join("\n"), CSS);
}
