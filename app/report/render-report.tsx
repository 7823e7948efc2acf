// The automatic JSX runtime named here, not only in tsconfig.json: the CLI runs from any folder,
// where tsx finds no tsconfig and would fall back to React.createElement.
/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { stepUsage, type RunRecord } from '../../agent/trace/run-record.ts';
import { estimatePrice, formatUsd } from './prices.ts';
import { ms, num, shorten } from './report-format.ts';
import type { ReportImage } from './report-images.ts';
import { REPORT_STYLE } from './report-style.ts';
import type { ChangeRegion } from './screen-changes.ts';
import { afterScreens, dragStarts } from './step-screens.ts';
import { imageClass, imageStyles, PHASES, phaseTimes, StepView, stepTitle, Timeline, totalOf, type Phase } from './step-view.tsx';

// One HTML report per run, rendered with react-dom/server: text from screens and models is
// untrusted, and React escapes every child and attribute by construction. Screenshots are data
// URLs in the inline CSS (each image once, however many steps show it), so the page stands alone; the only other files it may use sit beside
// it: `report.js` (keys, video seeking, opening a step linked to) and the run's video. The
// Content-Security-Policy allows exactly that: no inline script, nothing from elsewhere. Without
// the script the page still works: steps open with a click, and a step's video link opens the
// video at that step (a #t= media fragment).

export type { ReportImage } from './report-images.ts';
export { stepOverlay, type StepOverlay } from './step-overlay.ts';

export type RenderReportOptions = {
  /** Images by the SHA-1 of the recorded resource, already sized for viewing. */
  readonly images: ReadonlyMap<string, ReportImage>;
  /** What changed over each acted step, in its after picture's frame. */
  readonly changes?: ReadonlyMap<number, readonly ChangeRegion[]>;
  /** The run's video as the report refers to it (relative to the report), when the file is there. */
  readonly videoSrc?: string;
  /** The script file beside the report (`report.js`), when one is written. */
  readonly scriptSrc?: string;
  readonly generatedAt?: Date;
};

const OUTCOME_WORDS = { done: 'Done', failed: 'Failed', stopped: 'Stopped', incomplete: 'Incomplete' } as const;

export function reportCsp(options: { script: boolean; video: boolean }): string {
  return [`default-src 'none'`, 'img-src data:', ...(options.video ? [`media-src 'self'`] : []), `style-src 'unsafe-inline'`, ...(options.script ? [`script-src 'self'`] : []), `base-uri 'none'`, `form-action 'none'`].join('; ');
}

export function renderReport(run: RunRecord, options: RenderReportOptions): string {
  return `<!DOCTYPE html>\n${renderToStaticMarkup(<RunReport run={run} options={options} />)}\n`;
}

function RunReport({ run, options }: { run: RunRecord; options: RenderReportOptions }) {
  const { started } = run;
  const title = `${OUTCOME_WORDS[run.outcome]}: ${started.goal}`;
  const afters = afterScreens(run);
  const drags = dragStarts(run);
  const times = run.steps.map((step) => phaseTimes(step));
  const longestMs = Math.max(0, ...times.map(totalOf));
  const video = run.video && options.videoSrc ? { ...run.video, src: options.videoSrc } : undefined;
  const cueOf = (step: number) => {
    if (!video) return undefined;
    const cue = video.cues.find((candidate) => candidate.step === step);
    const observed = run.steps.find((candidate) => candidate.step === step)?.observed;
    const atMs = cue?.atMs ?? (observed ? observed.time - video.startedAt : undefined);
    return atMs !== undefined && atMs >= 0 ? { src: video.src, atMs } : undefined;
  };
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta httpEquiv="Content-Security-Policy" content={reportCsp({ script: Boolean(options.scriptSrc), video: Boolean(video) })} />
        <meta name="generator" content="deskpilot report" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: REPORT_STYLE }} />
        <style className="pictures" dangerouslySetInnerHTML={{ __html: imageStyles(options.images) }} />
        {options.scriptSrc ? <script src={options.scriptSrc} defer /> : null}
      </head>
      <body>
        <Header run={run} times={times} />
        {run.video && !video ? <p className="note video-missing">The run was recorded ({run.video.path}), but the video is not beside the trace.</p> : null}
        {video ? (
          <section className="video" aria-label="Video of the run">
            <video id="run-video" controls preload="metadata" src={video.src} width={video.width} height={video.height} />
            <p className="note">
              {ms(video.durationMs)} of video, {video.width}×{video.height}. Each step&apos;s ▶ link seeks it to the step.
            </p>
          </section>
        ) : null}
        <PresetChecks run={run} images={options.images} />
        <nav className="filmstrip" aria-label="Steps">
          {run.steps.map((step) => {
            const usage = stepUsage(step);
            const flags = `${step.rejections.length > 0 ? ' reasked' : ''}${step.replayed ? ` replay-${step.replayed.source}` : ''}`;
            return (
              <a key={step.step} className={`frame status-${step.status}${flags}`} href={`#step-${step.step}`} title={stepTitle(step)}>
                <span className="number">{step.step}</span>
                <span className="words">{shorten(stepTitle(step), 40)}</span>
                <span className="tokens">{num(usage.inputTokens + usage.outputTokens)} tok</span>
              </a>
            );
          })}
        </nav>
        <main>
          {run.steps.map((step) => {
            const after = afters.get(step.step);
            const changes = options.changes?.get(step.step);
            const dragStart = drags.get(step.step);
            const cue = cueOf(step.step);
            return <StepView key={step.step} step={step} images={options.images} longestMs={longestMs} {...(after ? { after } : {})} {...(changes ? { changes } : {})} {...(dragStart ? { dragStart } : {})} {...(cue ? { video: cue } : {})} />;
          })}
        </main>
        <footer>
          <details className="cost">
            <summary>Tokens per step</summary>
            <table>
              <thead>
                <tr>
                  <th>step</th>
                  <th>in</th>
                  <th>out</th>
                </tr>
              </thead>
              <tbody>
                {run.steps.map((step) => {
                  const usage = stepUsage(step);
                  return (
                    <tr key={step.step}>
                      <td>
                        <a href={`#step-${step.step}`}>{step.step}</a>
                      </td>
                      <td>{num(usage.inputTokens)}</td>
                      <td>{num(usage.outputTokens)}</td>
                    </tr>
                  );
                })}
                <tr className="total">
                  <th>total</th>
                  <th>{num(run.usage.inputTokens)}</th>
                  <th>{num(run.usage.outputTokens)}</th>
                </tr>
              </tbody>
            </table>
          </details>
          <p>
            Made by <code>deskpilot report</code>
            {options.generatedAt ? ` on ${options.generatedAt.toISOString()}` : ''} from <code>{run.dir}</code>. Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous step, <kbd>o</kbd> open or close every step. Outlined box: what the model pointed at; dot: its point; crosshair: where the mouse acted; arrow: a drag; on the after picture, dashed: what changed.
          </p>
        </footer>
      </body>
    </html>
  );
}

function Header({ run, times }: { run: RunRecord; times: readonly Record<Phase, number>[] }) {
  const { started } = run;
  const settings = started.settings;
  const modelId = typeof settings.model === 'string' ? settings.model : started.model;
  // The provider that answered (a router says which): its price, where it differs between providers.
  const providers = [...new Set(run.steps.flatMap((step) => step.replies.flatMap((reply) => (reply.provider ? [reply.provider] : []))))];
  const price = estimatePrice(modelId, settings.baseURL, run.usage, started.policy.price, providers.length === 1 ? providers[0] : undefined);
  const perStep = run.steps.length > 0 && price.kind === 'known' ? `, ${formatUsd(price.usd / run.steps.length)} a step` : '';
  const cachedNote = price.kind === 'known' && price.price.cachedInputPerMillion !== undefined && run.usage.cachedInputTokens ? `, cached input at $${price.price.cachedInputPerMillion}` : '';
  const cost: ReactNode =
    price.kind === 'known' ? (
      <>
        {formatUsd(price.usd)}
        {perStep}{' '}
        <span className="note">
          (estimate at ${price.price.inputPerMillion} in / ${price.price.outputPerMillion} out per million tokens{cachedNote}, from {price.price.seenAt}; check your provider&apos;s bill)
        </span>
      </>
    ) : price.kind === 'local' ? (
      <span className="note">local server ({price.host}): no per-token price</span>
    ) : (
      <span className="note">price unknown for {modelId}</span>
    );
  const replayed = run.steps.filter((step) => step.replayed);
  const regrounded = replayed.filter((step) => step.replayed?.source === 're-grounded').length;
  const reasked = run.steps.filter((step) => step.rejections.length > 0).length;
  const facts: [string, ReactNode][] = [
    ['goal', started.goal],
    ['model', started.model],
    ['started', started.startedAt],
    ['duration', ms(run.durationMs)],
    ['steps', `${run.steps.length}${reasked > 0 ? ` (${reasked} re-asked)` : ''}`],
    ['tokens', `${num(run.usage.inputTokens)} in${run.usage.cachedInputTokens ? ` (${num(run.usage.cachedInputTokens)} of them cached)` : ''} / ${num(run.usage.outputTokens)} out`],
    ['cost', cost],
    ...(providers.length > 0 ? [['answered by', providers.join(', ')] as [string, ReactNode]] : []),
  ];
  if (started.kind === 'replay') {
    facts.splice(1, 0, ['replay of', `${started.replayOf?.trace ?? 'a recording'}${started.replayOf?.outcome ? ` (recorded outcome: ${started.replayOf.outcome})` : ''}`]);
    facts.push(['replayed', `${replayed.length - regrounded} from the recording, ${regrounded} re-grounded by the model`]);
  }
  if (run.ended?.answer !== undefined) facts.push(['answer', run.ended.answer]);
  const preset = started.preset;
  if (preset) {
    const variables = Object.entries(preset.variables).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
    facts.splice(1, 0, [
      'preset',
      <>
        {preset.name}
        {preset.file ? <span className="note"> ({preset.file})</span> : null}
        {variables.length > 0 ? (
          <>
            <br />
            <code>{variables.join(' ')}</code>
          </>
        ) : null}
      </>,
    ]);
  }
  facts.push(['versions', `deskpilot ${started.versions.deskpilot}, node ${started.versions.node}, ${started.versions.platform}, trace format ${started.version}`]);
  const display = run.steps.find((step) => step.observed)?.observed?.display;
  if (display) facts.push(['display', `${display.bounds.width}x${display.bounds.height} at (${display.bounds.x}, ${display.bounds.y}), scale ${display.scaleFactor}`]);
  const totals = Object.fromEntries(PHASES.map((phase) => [phase, times.reduce((total, step) => total + step[phase], 0)])) as Record<Phase, number>;
  const allMs = totalOf(totals);
  return (
    <header className={`outcome outcome-${run.outcome}`} data-outcome={run.outcome}>
      <h1>
        {OUTCOME_WORDS[run.outcome]}
        {started.kind === 'replay' ? ' (replay)' : ''}
      </h1>
      <p className="reason">{run.reason}</p>
      {run.warnings.length > 0 ? (
        <ul className="warnings">
          {run.warnings.map((warning, index) => (
            <li key={index}>{warning}</li>
          ))}
        </ul>
      ) : null}
      <table className="facts run-facts">
        <tbody>
          {facts.map(([name, value]) => (
            <tr key={name}>
              <th>{name}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {allMs > 0 ? (
        <div className="run-timeline">
          <h2>Where the time went</h2>
          <Timeline times={totals} longestMs={allMs} label="The run's time" />
          <ul className="legend">
            {PHASES.filter((phase) => totals[phase] > 0).map((phase) => (
              <li key={phase} className={`legend-${phase}`} data-phase={phase}>
                <span className={`swatch phase-${phase}`} /> {phase} {ms(totals[phase])} ({Math.round((totals[phase] / allMs) * 100)}%)
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </header>
  );
}

/** A preset run's sub-goals (checkpoints) and expectations, with the final screenshot each was checked on. */
function PresetChecks({ run, images }: { run: RunRecord; images: ReadonlyMap<string, ReportImage> }) {
  const checkpoints = run.checkpoints.filter((checkpoint) => checkpoint.status !== 'started');
  const expectations = run.expectations;
  const queries = run.queries ?? [];
  if (checkpoints.length === 0 && expectations.length === 0 && queries.length === 0) return null;
  return (
    <section className="preset-checks">
      {checkpoints.length > 0 ? (
        <>
          <h2>Steps of the preset</h2>
          <ol className="checkpoints">
            {checkpoints.map((checkpoint, index) => (
              <li key={index} className={`checkpoint checkpoint-${checkpoint.status}`} data-status={checkpoint.status}>
                {checkpoint.goal} <span className={`badge badge-${checkpoint.status === 'reached' ? 'acted' : 'failed'}`}>{checkpoint.status}</span> <span className="note">after step {checkpoint.step}</span>
                {checkpoint.reason ? <p className="problem">{checkpoint.reason}</p> : null}
              </li>
            ))}
          </ol>
        </>
      ) : null}
      {expectations.map((expectation, index) => {
        const image = images.get(expectation.image.sha1);
        return (
          <div key={index} className={`expectation answer-${expectation.answer}`} data-answer={expectation.answer}>
            <h2>
              Expect: {expectation.question} <span className={`badge badge-${expectation.answer === 'yes' ? 'acted' : 'failed'}`}>{expectation.answer}</span>
            </h2>
            <div className="body">
              {image ? (
                <figure className="shot">
                  <div className={`frame picture ${imageClass(expectation.image.sha1)}`} role="img" aria-label="The final screen the expectation was checked on" data-image={expectation.image.sha1} style={{ aspectRatio: `${expectation.imageSize.width} / ${expectation.imageSize.height}` }} />
                </figure>
              ) : null}
              <div className="details">
                <p className="evidence">
                  <span className="label">evidence</span> {expectation.evidence}
                </p>
                <details className="raw">
                  <summary>Reply ({ms(expectation.requestMs)})</summary>
                  <pre className="reply">{expectation.reply}</pre>
                </details>
              </div>
            </div>
          </div>
        );
      })}
      {/* Library and MCP queries: what was asked, the answer read off the screen (or why none was valid). */}
      {queries.map((query, index) => {
        const image = images.get(query.image.sha1);
        const answer = query.valid ? JSON.stringify(query.answer, null, 2) : (query.problem ?? '');
        return (
          <div key={`query-${index}`} className={`expectation query answer-${query.valid ? 'yes' : 'no'}`} data-valid={String(query.valid)}>
            <h2>
              Query: {query.question} <span className={`badge badge-${query.valid ? 'acted' : 'failed'}`}>{query.valid ? 'answered' : 'invalid'}</span>
            </h2>
            <div className="body">
              {image ? (
                <figure className="shot">
                  <div className={`frame picture ${imageClass(query.image.sha1)}`} role="img" aria-label="The screen the question was asked about" data-image={query.image.sha1} style={{ aspectRatio: `${query.imageSize.width} / ${query.imageSize.height}` }} />
                </figure>
              ) : null}
              <div className="details">
                <pre className="reply">{answer}</pre>
                <details className="raw">
                  <summary>
                    Reply ({ms(query.requestMs)}, {query.attempts} ask{query.attempts === 1 ? '' : 's'})
                  </summary>
                  <pre className="reply">{query.reply}</pre>
                </details>
              </div>
            </div>
          </div>
        );
      })}
    </section>
  );
}
