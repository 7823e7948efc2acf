// The run report's CSS (inline in the page: the report stands alone).

export const REPORT_STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --warn: #bf8700; --info: #0969da; --muted: #6e7781; --bg: #fff; --card: #f6f8fa; --line: #d0d7de;
  --capture: #8250df; --model: #0969da; --approval: #bf8700; --action: #cf222e; --settle: #1a7f37; }
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
.run-timeline { margin-top: 10px; max-width: 760px; } .run-timeline h2 { font-size: 13px; margin: 0 0 4px; color: var(--muted); }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 0; margin: 4px 0 0; font-size: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; vertical-align: -1px; }
.timeline { display: inline-flex; align-items: center; gap: 8px; width: 100%; max-width: 760px; }
.timeline .bar { display: flex; height: 10px; min-width: 2px; border-radius: 3px; overflow: hidden; background: var(--line); }
.timeline .total { font-size: 12px; color: var(--muted); white-space: nowrap; }
.phase { flex-basis: 0; min-width: 1px; }
.phase-capture { background: var(--capture); } .phase-model { background: var(--model); } .phase-approval { background: var(--approval); } .phase-action { background: var(--action); } .phase-settle { background: var(--settle); }
section.video { padding: 8px 24px; } section.video video { max-width: min(100%, 960px); height: auto; border: 1px solid var(--line); background: #000; }
nav.filmstrip { display: flex; gap: 6px; overflow-x: auto; padding: 8px 24px; position: sticky; top: 0; background: var(--bg); border-bottom: 1px solid var(--line); z-index: 2; }
nav.filmstrip a { flex: 0 0 auto; display: flex; flex-direction: column; width: 132px; padding: 4px 6px; border: 1px solid var(--line); border-top: 4px solid var(--ok); border-radius: 4px; text-decoration: none; color: inherit; font-size: 12px; }
nav.filmstrip a .number { font-weight: 700; } nav.filmstrip a .tokens { color: var(--muted); }
nav.filmstrip a.status-failed, nav.filmstrip a.status-incomplete { border-top-color: var(--bad); background: color-mix(in srgb, var(--bad) 12%, transparent); }
nav.filmstrip a.status-skipped, nav.filmstrip a.status-stopped { border-top-color: var(--warn); }
nav.filmstrip a.reasked { border-bottom: 3px dashed var(--warn); }
nav.filmstrip a.replay-re-grounded { border-top-color: var(--info); }
main { padding: 8px 24px; }
section.step { border: 1px solid var(--line); border-left: 6px solid var(--ok); border-radius: 6px; margin: 12px 0; padding: 6px 12px; scroll-margin-top: 96px; }
section.step:target { outline: 2px solid var(--info); }
section.status-final { border-left-color: var(--muted); }
section.status-failed, section.status-incomplete { border-left-color: var(--bad); background: color-mix(in srgb, var(--bad) 6%, transparent); }
section.status-skipped, section.status-stopped { border-left-color: var(--warn); }
section.reasked { box-shadow: inset 0 0 0 2px color-mix(in srgb, var(--warn) 50%, transparent); }
section.replay-re-grounded { border-left-color: var(--info); }
details.step-details > summary { cursor: pointer; list-style: none; display: flex; flex-direction: column; gap: 2px; }
details.step-details > summary::-webkit-details-marker { display: none; }
details.step-details > summary h2::before { content: '▸'; display: inline-block; width: 1em; color: var(--muted); }
details.step-details[open] > summary h2::before { content: '▾'; }
h2 { font-size: 16px; margin: 4px 0; } h2 .number { display: inline-block; min-width: 2em; color: var(--muted); }
.badge { font-size: 11px; font-weight: 600; padding: 1px 6px; border-radius: 10px; background: var(--card); border: 1px solid var(--line); vertical-align: middle; }
.badge-failed, .badge-incomplete, .badge-drifted { background: var(--bad); color: #fff; border-color: var(--bad); }
.badge-reasked, .badge-corrected, .badge-skipped, .badge-stopped, .badge-refined.not-used { background: var(--warn); color: #fff; border-color: var(--warn); }
.badge-re-grounded, .badge-refined { background: var(--info); color: #fff; border-color: var(--info); }
.body { display: flex; gap: 16px; flex-wrap: wrap; align-items: flex-start; margin-top: 8px; }
.screens { display: flex; gap: 10px; flex-wrap: wrap; flex: 1 1 620px; }
figure.shot { margin: 0; flex: 1 1 300px; max-width: 760px; }
figure.shot .frame { position: relative; width: 100%; border: 1px solid var(--line); }
figure.shot .picture { background-size: 100% 100%; background-repeat: no-repeat; }
figure.shot svg.overlay { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
figure.shot figcaption { font-size: 12px; color: var(--muted); margin-top: 2px; }
figure.shot-closer { flex: 0 1 240px; }
.missing, .no-after { padding: 16px; color: var(--muted); }
.missing { color: var(--bad); }
.planned-box { fill: rgba(9, 105, 218, 0.12); stroke: #0969da; }
.planned-point { fill: #0969da; stroke: #fff; }
.actual-click circle { fill: none; stroke: #cf222e; } .actual-click line { stroke: #cf222e; }
.drag-path line { stroke: #cf222e; stroke-dasharray: 10 6; } .drag-path circle { fill: #fff; stroke: #cf222e; } .drag-path polygon { fill: #cf222e; }
.replay-region { fill: none; stroke: #bf8700; stroke-dasharray: 6 4; }
.refinement-crop { fill: none; stroke: #8250df; stroke-dasharray: 8 4; }
.refined-point line { stroke: #cf222e; }
.change { fill: rgba(191, 135, 0, 0.10); stroke: #bf8700; stroke-dasharray: 8 5; }
.details { flex: 1 1 320px; min-width: 280px; }
.thought .label { font-weight: 600; color: var(--muted); margin-right: 4px; }
.problem { color: var(--bad); font-weight: 600; }
.phase-words { display: inline-block; margin-right: 8px; white-space: nowrap; }
pre.reply { white-space: pre-wrap; word-break: break-word; background: var(--card); padding: 6px; border-radius: 4px; max-height: 300px; overflow: auto; font-size: 12px; }
.rejections { border-left: 3px solid var(--warn); padding-left: 8px; } .rejections h3 { font-size: 13px; margin: 4px 0; }
footer { padding: 8px 24px 32px; color: var(--muted); }
section.preset-checks { padding: 8px 24px; } .checkpoints li { margin: 2px 0; }
.expectation { border: 1px solid var(--line); border-left: 6px solid var(--ok); border-radius: 6px; margin: 12px 0; padding: 8px 12px; }
.expectation.answer-no, .expectation.answer-unreadable { border-left-color: var(--bad); background: color-mix(in srgb, var(--bad) 6%, transparent); }
.evidence .label { font-weight: 600; color: var(--muted); margin-right: 4px; }
footer table td, footer table th { padding: 0 12px 0 0; text-align: right; }
`;
