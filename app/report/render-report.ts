import { pointOf, targetOf } from '../../agent/actions.ts';
import { gridPoint, gridToImage, screenPoint, screenToImage, type DisplayGeometry, type Size } from '../../agent/geometry.ts';
import { stepUsage, type RunRecord, type StepRecord } from '../../agent/trace/run-record.ts';
import type { TraceAction } from '../../agent/trace/trace-schema.ts';
import { estimatePrice, formatUsd } from './prices.ts';

// One self-contained HTML file per run: no request leaves it (images are data URLs, CSS and script
// inline, and a Content-Security-Policy that allows nothing else). Overlays are SVG in the image
// frame of the recorded screenshot, so they sit where the model and the mouse did whatever size the
// picture is shown at. The markup is also well-formed XML, which keeps it easy to check.

export type ReportImage = { readonly dataUrl: string; readonly width: number; readonly height: number };

export type RenderReportOptions = {
  /** Images by the SHA-1 of the recorded resource, already sized for viewing. */
  readonly images: ReadonlyMap<string, ReportImage>;
  readonly generatedAt?: Date;
};

const OUTCOME_WORDS = { done: 'Done', failed: 'Failed', stopped: 'Stopped', incomplete: 'Incomplete' } as const;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

export const ms = (value: number): string => (value >= 10_000 ? `${(value / 1000).toFixed(0)} s` : value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
const num = (value: number) => value.toLocaleString('en-US');
const fixed = (value: number) => (Math.round(value * 10) / 10).toString();

/** Where the overlays go, in the image frame of the step's screenshot. */
export type StepOverlay = {
  readonly imageSize: Size;
  readonly plannedBox?: { x: number; y: number; width: number; height: number };
  readonly plannedPoint?: { x: number; y: number };
  readonly actualPoint?: { x: number; y: number };
  readonly replayRegion?: { x: number; y: number; width: number; height: number };
};

export function stepOverlay(step: StepRecord): StepOverlay | undefined {
  const imageSize = step.planned?.planned.imageSize ?? step.observed?.imageSize;
  if (!imageSize) return undefined;
  const display = (step.planned?.planned.display ?? step.observed?.display) as DisplayGeometry | undefined;
  const modelAction = step.planned?.planned.modelAction;
  const box = modelAction ? targetOf(modelAction as TraceAction)?.box : undefined;
  const gridToImagePoint = (point: { x: number; y: number }) => gridToImage(gridPoint(point.x, point.y), imageSize);
  let plannedBox: StepOverlay['plannedBox'];
  if (box) {
    const a = gridToImagePoint(box.topLeft);
    const b = gridToImagePoint(box.bottomRight);
    plannedBox = { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y };
  }
  const plannedGrid = modelAction ? pointOf(modelAction as TraceAction) : undefined;
  const performed = step.acted ? pointOf(step.acted.action as TraceAction) : undefined;
  const actualPoint = performed && display ? screenToImage(screenPoint(performed.x, performed.y), imageSize, display) : undefined;
  return {
    imageSize,
    ...(plannedBox ? { plannedBox } : {}),
    ...(plannedGrid ? { plannedPoint: gridToImagePoint(plannedGrid) } : {}),
    ...(actualPoint ? { actualPoint: { x: actualPoint.x, y: actualPoint.y } } : {}),
    ...(step.replayed?.region ? { replayRegion: step.replayed.region } : {}),
  };
}

function overlaySvg(overlay: StepOverlay): string {
  const { width, height } = overlay.imageSize;
  const stroke = Math.max(2, Math.round(width / 400));
  const radius = Math.max(8, Math.round(width / 90));
  const parts: string[] = [];
  if (overlay.replayRegion) {
    const r = overlay.replayRegion;
    parts.push(`<rect class="replay-region" x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" stroke-width="${stroke}"><title>Region compared with the recording</title></rect>`);
  }
  if (overlay.plannedBox) {
    const b = overlay.plannedBox;
    parts.push(`<rect class="planned-box" data-x="${fixed(b.x)}" data-y="${fixed(b.y)}" data-width="${fixed(b.width)}" data-height="${fixed(b.height)}" x="${fixed(b.x)}" y="${fixed(b.y)}" width="${fixed(Math.max(b.width, 1))}" height="${fixed(Math.max(b.height, 1))}" stroke-width="${stroke}"><title>Box the model gave</title></rect>`);
  }
  if (overlay.plannedPoint) {
    const p = overlay.plannedPoint;
    parts.push(`<circle class="planned-point" data-x="${fixed(p.x)}" data-y="${fixed(p.y)}" cx="${fixed(p.x)}" cy="${fixed(p.y)}" r="${Math.round(radius / 2)}" stroke-width="${stroke}"><title>Point the model gave</title></circle>`);
  }
  if (overlay.actualPoint) {
    const p = overlay.actualPoint;
    parts.push(
      `<g class="actual-click" data-x="${fixed(p.x)}" data-y="${fixed(p.y)}"><title>Where the mouse acted</title>` +
        `<circle cx="${fixed(p.x)}" cy="${fixed(p.y)}" r="${radius}" stroke-width="${stroke}"/>` +
        `<line x1="${fixed(p.x - radius * 1.6)}" y1="${fixed(p.y)}" x2="${fixed(p.x + radius * 1.6)}" y2="${fixed(p.y)}" stroke-width="${stroke}"/>` +
        `<line x1="${fixed(p.x)}" y1="${fixed(p.y - radius * 1.6)}" x2="${fixed(p.x)}" y2="${fixed(p.y + radius * 1.6)}" stroke-width="${stroke}"/></g>`,
    );
  }
  return `<svg class="overlay" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" aria-hidden="true">${parts.join('')}</svg>`;
}

const STATUS_WORDS: Record<StepRecord['status'], string> = { acted: 'done', final: 'final', skipped: 'skipped', stopped: 'stopped', failed: 'failed', incomplete: 'incomplete' };

function stepTitle(step: StepRecord): string {
  if (step.planned) return step.planned.planned.description;
  if (step.rejections.length > 0) return 'No usable reply';
  return step.observed ? 'Observed the screen' : 'Step';
}

function renderStep(step: StepRecord, images: ReadonlyMap<string, ReportImage>): string {
  const classes = ['step', `status-${step.status}`];
  if (step.rejections.length > 0) classes.push('reasked');
  if (step.replayed) classes.push(`replay-${step.replayed.source}`);
  const badges: string[] = [`<span class="badge badge-${step.status}">${STATUS_WORDS[step.status]}</span>`];
  if (step.rejections.length > 0) badges.push(`<span class="badge badge-reasked">re-asked ${step.rejections.length}×</span>`);
  if (step.replayed) badges.push(`<span class="badge badge-${step.replayed.source}">${escapeHtml(step.replayed.source)}</span>`);
  if (step.decided?.decision.kind === 'correct') badges.push('<span class="badge badge-corrected">corrected</span>');

  const image = step.observed ? images.get(step.observed.image.sha1) : undefined;
  const overlay = stepOverlay(step);
  const figure = step.observed
    ? image
      ? `<figure class="shot" style="aspect-ratio: ${step.observed.imageSize.width} / ${step.observed.imageSize.height}"><img loading="lazy" decoding="async" src="${image.dataUrl}" width="${image.width}" height="${image.height}" alt="The screen before step ${step.step}"/>${overlay ? overlaySvg(overlay) : ''}</figure>`
      : `<figure class="shot missing"><figcaption>The screenshot (${escapeHtml(step.observed.image.sha1)}) is missing from resources/.</figcaption></figure>`
    : '';

  const rows: string[] = [];
  const row = (name: string, value: string) => rows.push(`<tr><th>${name}</th><td>${value}</td></tr>`);
  if (step.planned) {
    row('action', escapeHtml(step.planned.planned.description));
    const performed = step.acted?.action as TraceAction | undefined;
    const point = performed ? pointOf(performed) : undefined;
    if (point) row('at', `(${point.x}, ${point.y}) on the screen`);
    const modelPoint = pointOf(step.planned.planned.modelAction as TraceAction);
    if (modelPoint) row('model point', `(${fixed(modelPoint.x)}, ${fixed(modelPoint.y)}) on the 0..1000 grid`);
  }
  if (step.decided && step.decided.decision.kind !== 'approve') {
    const decision = step.decided.decision;
    row('decision', decision.kind === 'correct' ? `corrected to (${decision.point.x}, ${decision.point.y})` : escapeHtml(decision.kind));
  }
  if (step.replayed) {
    const replayed = step.replayed;
    const similarity = replayed.similarity !== undefined ? ` (similarity ${replayed.similarity.toFixed(3)}${replayed.threshold !== undefined ? `, needs ${replayed.threshold}` : ''})` : '';
    row('replay', `${escapeHtml(replayed.source)} of recorded step ${replayed.recordedStep}${similarity}`);
  }
  const usage = stepUsage(step);
  if (usage.inputTokens + usage.outputTokens > 0) row('tokens', `${num(usage.inputTokens)} in / ${num(usage.outputTokens)} out${step.observed ? ` (screenshot ${num(step.observed.imageTokens)})` : ''}`);
  const phases: string[] = [];
  if (step.observed) phases.push(`capture ${ms(step.observed.timings.grabMs)}`, `encode ${ms(step.observed.timings.encodeMs)}`);
  const modelMs = step.replies.reduce((total, reply) => total + reply.requestMs, 0);
  if (step.replies.length > 0) phases.push(`model ${ms(modelMs)}${step.replies.length > 1 ? ` (${step.replies.length} asks)` : ''}`);
  if (step.decided && step.decided.waitedMs >= 1) phases.push(`approval ${ms(step.decided.waitedMs)}`);
  if (step.acted) phases.push(`action ${ms(step.acted.actionMs)}`, `settle ${ms(step.acted.settleMs)}${step.acted.settled ? '' : ' (still changing)'}`);
  if (phases.length > 0) row('time', `<span class="phases">${phases.map((phase) => `<span class="phase">${phase}</span>`).join(' ')}</span>`);

  const thought = step.planned?.planned.thought;
  const problem = step.problem ? `<p class="problem">${escapeHtml(step.problem)}</p>` : '';
  const rejections = step.rejections
    .map((rejection) => {
      const reply = step.replies.find((candidate) => candidate.attempt === rejection.attempt);
      return `<li class="rejection"><strong>${escapeHtml(rejection.code)}</strong>: ${escapeHtml(rejection.reason)}${reply ? `<pre class="reply">${escapeHtml(reply.text)}</pre>` : ''}</li>`;
    })
    .join('');
  const used = step.usedReply ?? (step.replayed?.regrounding ? undefined : step.replies.at(-1));
  const regrounding = step.replayed?.regrounding;
  return [
    `<section class="${classes.join(' ')}" id="step-${step.step}" data-step="${step.step}" data-status="${step.status}"${step.replayed ? ` data-replay="${step.replayed.source}"` : ''}>`,
    `<h2><span class="number">${step.step}</span> ${escapeHtml(stepTitle(step))} ${badges.join(' ')}</h2>`,
    '<div class="body">',
    figure,
    '<div class="details">',
    problem,
    thought ? `<p class="thought"><span class="label">thought</span> ${escapeHtml(thought)}</p>` : '',
    rows.length > 0 ? `<table class="facts">${rows.join('')}</table>` : '',
    rejections ? `<div class="rejections"><h3>Replies not used</h3><ul>${rejections}</ul></div>` : '',
    regrounding ? `<details class="raw"><summary>Re-grounding reply (${regrounding.attempts} ask${regrounding.attempts === 1 ? '' : 's'}, ${ms(regrounding.requestMs)})</summary><pre class="reply">${escapeHtml(regrounding.text)}</pre></details>` : '',
    used ? `<details class="raw"><summary>Reply${step.replayed?.source === 'from-recording' ? ' (from the recording)' : ''}</summary><pre class="reply">${escapeHtml(used.text)}</pre></details>` : '',
    '</div>',
    '</div>',
    '</section>',
  ].join('');
}

export function renderReport(run: RunRecord, options: RenderReportOptions): string {
  const { started } = run;
  const settings = started.settings;
  const modelId = typeof settings.model === 'string' ? settings.model : started.model;
  const price = estimatePrice(modelId, settings.baseURL, run.usage, started.policy.price);
  const cost =
    price.kind === 'known'
      ? `${formatUsd(price.usd)} <span class="note">(estimate at $${price.price.inputPerMillion} in / $${price.price.outputPerMillion} out per million tokens, from ${escapeHtml(price.price.seenAt)}; check your provider's bill)</span>`
      : price.kind === 'local'
        ? `<span class="note">local server (${escapeHtml(price.host)}): no per-token price</span>`
        : `<span class="note">price unknown for ${escapeHtml(modelId)}</span>`;
  const replayed = run.steps.filter((step) => step.replayed);
  const regrounded = replayed.filter((step) => step.replayed?.source === 're-grounded').length;
  const reasked = run.steps.filter((step) => step.rejections.length > 0).length;
  const facts: [string, string][] = [
    ['goal', escapeHtml(started.goal)],
    ['model', escapeHtml(started.model)],
    ['started', escapeHtml(started.startedAt)],
    ['duration', ms(run.durationMs)],
    ['steps', `${run.steps.length}${reasked > 0 ? ` (${reasked} re-asked)` : ''}`],
    ['tokens', `${num(run.usage.inputTokens)} in / ${num(run.usage.outputTokens)} out`],
    ['cost', cost],
  ];
  if (started.kind === 'replay') {
    facts.splice(1, 0, ['replay of', `${escapeHtml(started.replayOf?.trace ?? 'a recording')}${started.replayOf?.outcome ? ` (recorded outcome: ${started.replayOf.outcome})` : ''}`]);
    facts.push(['replayed', `${replayed.length - regrounded} from the recording, ${regrounded} re-grounded by the model`]);
  }
  if (run.ended?.answer !== undefined) facts.push(['answer', escapeHtml(run.ended.answer)]);
  const preset = started.preset;
  if (preset) {
    const variables = Object.entries(preset.variables).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
    facts.splice(1, 0, ['preset', `${escapeHtml(preset.name)}${preset.file ? ` <span class="note">(${escapeHtml(preset.file)})</span>` : ''}${variables.length > 0 ? `<br/><code>${escapeHtml(variables.join(' '))}</code>` : ''}`]);
  }
  facts.push(['versions', escapeHtml(`deskpilot ${started.versions.deskpilot}, node ${started.versions.node}, ${started.versions.platform}, trace format ${started.version}`)]);
  const display = run.steps.find((step) => step.observed)?.observed?.display;
  if (display) facts.push(['display', `${display.bounds.width}x${display.bounds.height} at (${display.bounds.x}, ${display.bounds.y}), scale ${display.scaleFactor}`]);

  const strip = run.steps
    .map((step) => {
      const flags = `${step.rejections.length > 0 ? ' reasked' : ''}${step.replayed ? ` replay-${step.replayed.source}` : ''}`;
      const usage = stepUsage(step);
      return `<a class="frame status-${step.status}${flags}" href="#step-${step.step}" title="${escapeHtml(stepTitle(step))}"><span class="number">${step.step}</span><span class="words">${escapeHtml(shorten(stepTitle(step), 40))}</span><span class="tokens">${num(usage.inputTokens + usage.outputTokens)} tok</span></a>`;
    })
    .join('');
  const costRows = run.steps
    .map((step) => {
      const usage = stepUsage(step);
      return `<tr><td><a href="#step-${step.step}">${step.step}</a></td><td>${num(usage.inputTokens)}</td><td>${num(usage.outputTokens)}</td></tr>`;
    })
    .join('');
  const warnings = run.warnings.length > 0 ? `<ul class="warnings">${run.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('')}</ul>` : '';
  const title = `${OUTCOME_WORDS[run.outcome]}: ${started.goal}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"/>`,
    '<meta name="generator" content="deskpilot report"/>',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header class="outcome outcome-${run.outcome}" data-outcome="${run.outcome}">`,
    `<h1>${OUTCOME_WORDS[run.outcome]}${started.kind === 'replay' ? ' (replay)' : ''}</h1>`,
    `<p class="reason">${escapeHtml(run.reason)}</p>`,
    warnings,
    `<table class="facts run-facts">${facts.map(([name, value]) => `<tr><th>${name}</th><td>${value}</td></tr>`).join('')}</table>`,
    '</header>',
    renderPresetChecks(run, options.images),
    `<nav class="filmstrip" aria-label="Steps">${strip}</nav>`,
    `<main>${run.steps.map((step) => renderStep(step, options.images)).join('')}</main>`,
    '<footer>',
    `<details class="cost"><summary>Tokens per step</summary><table><thead><tr><th>step</th><th>in</th><th>out</th></tr></thead><tbody>${costRows}<tr class="total"><th>total</th><th>${num(run.usage.inputTokens)}</th><th>${num(run.usage.outputTokens)}</th></tr></tbody></table></details>`,
    `<p>Made by <code>deskpilot report</code>${options.generatedAt ? ` on ${escapeHtml(options.generatedAt.toISOString())}` : ''} from <code>${escapeHtml(run.dir)}</code>. Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous step. Outlined box: what the model pointed at; dot: its point; crosshair: where the mouse acted.</p>`,
    '</footer>',
    `<script>//<![CDATA[\n${SCRIPT}\n//]]></script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A preset run's sub-goals (checkpoints) and expectations, with the final screenshot each was checked on. */
function renderPresetChecks(run: RunRecord, images: ReadonlyMap<string, ReportImage>): string {
  const checkpoints = (run.checkpoints ?? []).filter((checkpoint) => checkpoint.status !== 'started');
  const expectations = run.expectations ?? [];
  const queries = run.queries ?? [];
  if (checkpoints.length === 0 && expectations.length === 0 && queries.length === 0) return '';
  const parts: string[] = ['<section class="preset-checks">'];
  if (checkpoints.length > 0) {
    parts.push(
      `<h2>Steps of the preset</h2><ol class="checkpoints">${checkpoints
        .map((checkpoint) => `<li class="checkpoint checkpoint-${checkpoint.status}" data-status="${checkpoint.status}">${escapeHtml(checkpoint.goal)} <span class="badge badge-${checkpoint.status === 'reached' ? 'acted' : 'failed'}">${escapeHtml(checkpoint.status)}</span> <span class="note">after step ${checkpoint.step}</span>${checkpoint.reason ? `<p class="problem">${escapeHtml(checkpoint.reason)}</p>` : ''}</li>`)
        .join('')}</ol>`,
    );
  }
  for (const expectation of expectations) {
    const image = images.get(expectation.image.sha1);
    parts.push(
      `<div class="expectation answer-${expectation.answer}" data-answer="${expectation.answer}"><h2>Expect: ${escapeHtml(expectation.question)} <span class="badge badge-${expectation.answer === 'yes' ? 'acted' : 'failed'}">${escapeHtml(expectation.answer)}</span></h2>` +
        `<div class="body">${image ? `<figure class="shot" style="aspect-ratio: ${expectation.imageSize.width} / ${expectation.imageSize.height}"><img loading="lazy" decoding="async" src="${image.dataUrl}" width="${image.width}" height="${image.height}" alt="The final screen the expectation was checked on"/></figure>` : ''}` +
        `<div class="details"><p class="evidence"><span class="label">evidence</span> ${escapeHtml(expectation.evidence)}</p><details class="raw"><summary>Reply (${ms(expectation.requestMs)})</summary><pre class="reply">${escapeHtml(expectation.reply)}</pre></details></div></div></div>`,
    );
  }
  // Library and MCP queries: what was asked, the answer read off the screen (or why none was valid).
  for (const query of queries) {
    const image = images.get(query.image.sha1);
    const answer = query.valid ? JSON.stringify(query.answer, null, 2) : (query.problem ?? '');
    parts.push(
      `<div class="expectation query answer-${query.valid ? 'yes' : 'no'}" data-valid="${query.valid}"><h2>Query: ${escapeHtml(query.question)} <span class="badge badge-${query.valid ? 'acted' : 'failed'}">${query.valid ? 'answered' : 'invalid'}</span></h2>` +
        `<div class="body">${image ? `<figure class="shot" style="aspect-ratio: ${query.imageSize.width} / ${query.imageSize.height}"><img loading="lazy" decoding="async" src="${image.dataUrl}" width="${image.width}" height="${image.height}" alt="The screen the question was asked about"/></figure>` : ''}` +
        `<div class="details"><pre class="reply">${escapeHtml(answer)}</pre><details class="raw"><summary>Reply (${ms(query.requestMs)}, ${query.attempts} ask${query.attempts === 1 ? '' : 's'})</summary><pre class="reply">${escapeHtml(query.reply)}</pre></details></div></div></div>`,
    );
  }
  parts.push('</section>');
  return parts.join('');
}

function shorten(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

const STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --warn: #bf8700; --info: #0969da; --muted: #6e7781; --bg: #fff; --card: #f6f8fa; --line: #d0d7de; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --card: #161b22; --line: #30363d; --muted: #8b949e; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; background: var(--bg); }
header.outcome { padding: 16px 24px; border-left: 8px solid var(--muted); background: var(--card); }
header.outcome-done { border-left-color: var(--ok); }
header.outcome-failed, header.outcome-incomplete { border-left-color: var(--bad); }
header.outcome-stopped { border-left-color: var(--warn); }
h1 { margin: 0 0 4px; font-size: 26px; }
.outcome-done h1 { color: var(--ok); } .outcome-failed h1, .outcome-incomplete h1 { color: var(--bad); } .outcome-stopped h1 { color: var(--warn); }
.reason { font-size: 16px; margin: 0 0 8px; }
.warnings { color: var(--warn); }
table.facts { border-collapse: collapse; }
table.facts th { text-align: left; font-weight: 600; padding: 1px 12px 1px 0; vertical-align: top; color: var(--muted); }
.note { color: var(--muted); }
nav.filmstrip { display: flex; gap: 6px; overflow-x: auto; padding: 8px 24px; position: sticky; top: 0; background: var(--bg); border-bottom: 1px solid var(--line); z-index: 2; }
nav.filmstrip a { flex: 0 0 auto; display: flex; flex-direction: column; width: 132px; padding: 4px 6px; border: 1px solid var(--line); border-top: 4px solid var(--ok); border-radius: 4px; text-decoration: none; color: inherit; font-size: 12px; }
nav.filmstrip a .number { font-weight: 700; } nav.filmstrip a .tokens { color: var(--muted); }
nav.filmstrip a.status-failed, nav.filmstrip a.status-incomplete { border-top-color: var(--bad); background: color-mix(in srgb, var(--bad) 12%, transparent); }
nav.filmstrip a.status-skipped, nav.filmstrip a.status-stopped { border-top-color: var(--warn); }
nav.filmstrip a.reasked { border-bottom: 3px dashed var(--warn); }
nav.filmstrip a.replay-re-grounded { border-top-color: var(--info); }
main { padding: 8px 24px; }
section.step { border: 1px solid var(--line); border-left: 6px solid var(--ok); border-radius: 6px; margin: 16px 0; padding: 8px 12px; scroll-margin-top: 96px; }
section.status-final { border-left-color: var(--muted); }
section.status-failed, section.status-incomplete { border-left-color: var(--bad); background: color-mix(in srgb, var(--bad) 6%, transparent); }
section.status-skipped, section.status-stopped { border-left-color: var(--warn); }
section.reasked { box-shadow: inset 0 0 0 2px color-mix(in srgb, var(--warn) 50%, transparent); }
section.replay-re-grounded { border-left-color: var(--info); }
h2 { font-size: 16px; margin: 4px 0 8px; } h2 .number { display: inline-block; min-width: 2em; color: var(--muted); }
.badge { font-size: 11px; font-weight: 600; padding: 1px 6px; border-radius: 10px; background: var(--card); border: 1px solid var(--line); vertical-align: middle; }
.badge-failed, .badge-incomplete, .badge-drifted { background: var(--bad); color: #fff; border-color: var(--bad); }
.badge-reasked, .badge-corrected, .badge-skipped, .badge-stopped { background: var(--warn); color: #fff; border-color: var(--warn); }
.badge-re-grounded { background: var(--info); color: #fff; border-color: var(--info); }
.body { display: flex; gap: 16px; flex-wrap: wrap; align-items: flex-start; }
figure.shot { position: relative; margin: 0; width: min(100%, 760px); border: 1px solid var(--line); }
figure.shot img { display: block; width: 100%; height: 100%; }
figure.shot svg.overlay { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
figure.missing { padding: 16px; color: var(--bad); }
.planned-box { fill: rgba(9, 105, 218, 0.12); stroke: #0969da; }
.planned-point { fill: #0969da; stroke: #fff; }
.actual-click circle { fill: none; stroke: #cf222e; } .actual-click line { stroke: #cf222e; }
.replay-region { fill: none; stroke: #bf8700; stroke-dasharray: 6 4; }
.details { flex: 1 1 320px; min-width: 280px; }
.thought .label { font-weight: 600; color: var(--muted); margin-right: 4px; }
.problem { color: var(--bad); font-weight: 600; }
.phase { display: inline-block; margin-right: 8px; white-space: nowrap; }
pre.reply { white-space: pre-wrap; word-break: break-word; background: var(--card); padding: 6px; border-radius: 4px; max-height: 300px; overflow: auto; font-size: 12px; }
.rejections { border-left: 3px solid var(--warn); padding-left: 8px; } .rejections h3 { font-size: 13px; margin: 4px 0; }
footer { padding: 8px 24px 32px; color: var(--muted); }
section.preset-checks { padding: 8px 24px; } .checkpoints li { margin: 2px 0; }
.expectation { border: 1px solid var(--line); border-left: 6px solid var(--ok); border-radius: 6px; margin: 12px 0; padding: 8px 12px; }
.expectation.answer-no, .expectation.answer-unreadable { border-left-color: var(--bad); background: color-mix(in srgb, var(--bad) 6%, transparent); }
.evidence .label { font-weight: 600; color: var(--muted); margin-right: 4px; }
footer table td, footer table th { padding: 0 12px 0 0; text-align: right; }
`;

const SCRIPT = `
(function () {
  var steps = Array.prototype.slice.call(document.querySelectorAll('section.step'));
  function current() {
    var top = window.scrollY + 100, index = 0;
    steps.forEach(function (step, i) { if (step.offsetTop <= top) index = i; });
    return index;
  }
  document.addEventListener('keydown', function (event) {
    if (event.target && /input|textarea/i.test(event.target.tagName)) return;
    var move = event.key === 'j' ? 1 : event.key === 'k' ? -1 : 0;
    if (!move || steps.length === 0) return;
    var next = steps[Math.max(0, Math.min(steps.length - 1, current() + move))];
    next.scrollIntoView({ block: 'start' });
  });
})();
`;

