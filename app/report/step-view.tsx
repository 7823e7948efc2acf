// The automatic JSX runtime named here, not only in tsconfig.json: the CLI runs from any folder,
// where tsx finds no tsconfig and would fall back to React.createElement.
/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { ReactNode } from 'react';
import { pointOf } from '../../agent/actions.ts';
import { stepUsage, type StepRecord } from '../../agent/trace/run-record.ts';
import type { TraceAction } from '../../agent/trace/trace-schema.ts';
import { clock, fixed, ms, num } from './report-format.ts';
import type { ReportImage } from './report-images.ts';
import type { ChangeRegion } from './screen-changes.ts';
import { stepOverlay, type StepOverlay } from './step-overlay.ts';
import type { AfterScreen } from './step-screens.ts';

// One step of the run report: the screen before and after (the settled screen) side by side, the
// marks of what the model pointed at and where the mouse acted (a drag as its path), what changed
// outlined on the after picture, a closer look when the model took one, and a timeline of the
// step's phases. Failed and re-asked steps open by themselves; the others are one click away.
// Every text from the trace is passed to React as a child or attribute, which escapes it.

export const STATUS_WORDS: Record<StepRecord['status'], string> = { acted: 'done', final: 'final', skipped: 'skipped', stopped: 'stopped', failed: 'failed', incomplete: 'incomplete' };

export const PHASES = ['capture', 'model', 'approval', 'action', 'settle'] as const;
export type Phase = (typeof PHASES)[number];
export type PhaseTimes = Readonly<Record<Phase, number>>;

/** Where a step's time went, phase by phase (a re-asked model counts every ask; a closer look counts as model time). */
export function phaseTimes(step: StepRecord): PhaseTimes {
  const model = step.replies.reduce((total, reply) => total + reply.requestMs, 0) + (step.replayed?.regrounding && step.replies.length === 0 ? step.replayed.regrounding.requestMs : 0) + (step.planned?.refinement?.requestMs ?? 0);
  return {
    capture: step.observed ? step.observed.timings.grabMs + step.observed.timings.encodeMs : 0,
    model,
    approval: step.decided?.waitedMs ?? 0,
    action: step.acted?.actionMs ?? 0,
    settle: step.acted?.settleMs ?? 0,
  };
}

export const totalOf = (times: PhaseTimes) => PHASES.reduce((total, phase) => total + times[phase], 0);

export function stepTitle(step: StepRecord): string {
  if (step.planned) return step.planned.planned.description;
  if (step.rejections.length > 0) return 'No usable reply';
  return step.observed ? 'Observed the screen' : 'Step';
}

/** A failed, stopped, cut-off, drifted or re-asked step is what a reader came for: it opens by itself. */
export function opensByItself(step: StepRecord): boolean {
  return step.status === 'failed' || step.status === 'stopped' || step.status === 'incomplete' || step.rejections.length > 0 || step.replayed?.source === 'drifted';
}

export type StepViewProps = {
  readonly step: StepRecord;
  readonly images: ReadonlyMap<string, ReportImage>;
  readonly after?: AfterScreen;
  readonly changes?: readonly ChangeRegion[];
  readonly dragStart?: { x: number; y: number };
  /** The longest step's total time: every timeline is drawn to the same scale. */
  readonly longestMs: number;
  /** The video and where this step begins in it. */
  readonly video?: { readonly src: string; readonly atMs: number };
};

export function Timeline({ times, longestMs, label }: { times: PhaseTimes; longestMs: number; label: string }) {
  const total = totalOf(times);
  const width = longestMs > 0 ? Math.max(2, (total / longestMs) * 100) : 0;
  const words = PHASES.filter((phase) => times[phase] >= 1).map((phase) => `${phase} ${ms(times[phase])}`);
  return (
    <span className="timeline" role="img" aria-label={`${label}: ${words.join(', ') || 'no recorded time'}`} data-total-ms={Math.round(total)}>
      <span className="bar" style={{ width: `${fixed(width)}%` }}>
        {PHASES.filter((phase) => times[phase] > 0).map((phase) => (
          <span key={phase} className={`phase phase-${phase}`} data-phase={phase} data-ms={Math.round(times[phase])} style={{ flexGrow: times[phase] }} title={`${phase} ${ms(times[phase])}`} />
        ))}
      </span>
      <span className="total">{ms(total)}</span>
    </span>
  );
}

function Overlay({ overlay }: { overlay: StepOverlay }) {
  const { width, height } = overlay.imageSize;
  const stroke = Math.max(2, Math.round(width / 400));
  const radius = Math.max(8, Math.round(width / 90));
  const parts: ReactNode[] = [];
  if (overlay.replayRegion) {
    const r = overlay.replayRegion;
    parts.push(
      <rect key="replay" className="replay-region" x={r.x} y={r.y} width={r.width} height={r.height} strokeWidth={stroke}>
        <title>Region compared with the recording</title>
      </rect>,
    );
  }
  if (overlay.refinementCrop) {
    const c = overlay.refinementCrop;
    parts.push(
      <rect key="crop" className="refinement-crop" x={fixed(c.x)} y={fixed(c.y)} width={fixed(Math.max(c.width, 1))} height={fixed(Math.max(c.height, 1))} strokeWidth={stroke}>
        <title>Region the model looked at again, closer</title>
      </rect>,
    );
  }
  if (overlay.plannedBox) {
    const b = overlay.plannedBox;
    parts.push(
      <rect key="box" className="planned-box" data-x={fixed(b.x)} data-y={fixed(b.y)} data-width={fixed(b.width)} data-height={fixed(b.height)} x={fixed(b.x)} y={fixed(b.y)} width={fixed(Math.max(b.width, 1))} height={fixed(Math.max(b.height, 1))} strokeWidth={stroke}>
        <title>Box the model gave</title>
      </rect>,
    );
  }
  if (overlay.plannedPoint) {
    const p = overlay.plannedPoint;
    parts.push(
      <circle key="point" className="planned-point" data-x={fixed(p.x)} data-y={fixed(p.y)} cx={fixed(p.x)} cy={fixed(p.y)} r={Math.round(radius / 2)} strokeWidth={stroke}>
        <title>Point the model gave</title>
      </circle>,
    );
  }
  if (overlay.dragPath) {
    const { from, to } = overlay.dragPath;
    const length = Math.hypot(to.x - from.x, to.y - from.y) || 1;
    const ux = (to.x - from.x) / length;
    const uy = (to.y - from.y) / length;
    const head = radius * 1.8;
    const arrow = [
      [to.x, to.y],
      [to.x - ux * head - uy * head * 0.5, to.y - uy * head + ux * head * 0.5],
      [to.x - ux * head + uy * head * 0.5, to.y - uy * head - ux * head * 0.5],
    ]
      .map(([x, y]) => `${fixed(x!)},${fixed(y!)}`)
      .join(' ');
    parts.push(
      <g key="drag" className="drag-path" data-from-x={fixed(from.x)} data-from-y={fixed(from.y)} data-to-x={fixed(to.x)} data-to-y={fixed(to.y)}>
        <title>The drag, from where the pointer was to where it let go</title>
        <circle cx={fixed(from.x)} cy={fixed(from.y)} r={Math.round(radius / 2)} strokeWidth={stroke} />
        <line x1={fixed(from.x)} y1={fixed(from.y)} x2={fixed(to.x)} y2={fixed(to.y)} strokeWidth={stroke * 1.5} />
        <polygon points={arrow} />
      </g>,
    );
  }
  if (overlay.actualPoint) {
    const p = overlay.actualPoint;
    parts.push(
      <g key="actual" className="actual-click" data-x={fixed(p.x)} data-y={fixed(p.y)}>
        <title>Where the mouse acted</title>
        <circle cx={fixed(p.x)} cy={fixed(p.y)} r={radius} strokeWidth={stroke} />
        <line x1={fixed(p.x - radius * 1.6)} y1={fixed(p.y)} x2={fixed(p.x + radius * 1.6)} y2={fixed(p.y)} strokeWidth={stroke} />
        <line x1={fixed(p.x)} y1={fixed(p.y - radius * 1.6)} x2={fixed(p.x)} y2={fixed(p.y + radius * 1.6)} strokeWidth={stroke} />
      </g>,
    );
  }
  return (
    <svg className="overlay" xmlns="http://www.w3.org/2000/svg" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true">
      {parts}
    </svg>
  );
}

function ChangesOverlay({ size, changes }: { size: { width: number; height: number }; changes: readonly ChangeRegion[] }) {
  const stroke = Math.max(2, Math.round(size.width / 400));
  return (
    <svg className="overlay" xmlns="http://www.w3.org/2000/svg" viewBox={`0 0 ${size.width} ${size.height}`} preserveAspectRatio="none" aria-hidden="true">
      {changes.map((region, index) => (
        <rect key={index} className="change" x={fixed(region.x)} y={fixed(region.y)} width={fixed(region.width)} height={fixed(region.height)} strokeWidth={stroke}>
          <title>Changed after the step</title>
        </rect>
      ))}
    </svg>
  );
}

/**
 * A screenshot as the background of a sized box: the picture is a class from the page's one
 * stylesheet of images (`imageStyles`), so the same screen, the after of one step and the before
 * of the next, is in the file once. A box inside a closed step is not painted, so its picture is
 * not decoded until the step is opened.
 */
function Shot({ role, sha1, image, size, caption, alt, children }: { role: 'before' | 'after' | 'closer'; sha1: string; image: ReportImage | undefined; size: { width: number; height: number }; caption: ReactNode; alt: string; children?: ReactNode }) {
  return (
    <figure className={`shot shot-${role}`} data-role={role}>
      {image ? (
        <div className={`frame picture ${imageClass(sha1)}`} role="img" aria-label={alt} data-image={sha1} style={{ aspectRatio: `${size.width} / ${size.height}` }}>
          {children}
        </div>
      ) : (
        <p className="missing">The screenshot ({sha1}) is missing from resources/.</p>
      )}
      <figcaption>{caption}</figcaption>
    </figure>
  );
}

export const imageClass = (sha1: string) => `image-${sha1}`;

const DATA_URL = /^data:image\/(jpeg|png|webp);base64,[A-Za-z0-9+/]+=*$/;
const SHA1 = /^[0-9a-f]{40}$/;

/** The stylesheet of pictures: one rule per image. Only our own base64 and hex go in, checked, as it is not escaped. */
export function imageStyles(images: ReadonlyMap<string, ReportImage>): string {
  const rules: string[] = [];
  for (const [sha1, image] of images) if (SHA1.test(sha1) && DATA_URL.test(image.dataUrl)) rules.push(`.${imageClass(sha1)}{background-image:url("${image.dataUrl}")}`);
  return rules.join('\n');
}

function Badges({ step }: { step: StepRecord }) {
  const refinement = step.planned?.refinement;
  return (
    <>
      <span className={`badge badge-${step.status}`}>{STATUS_WORDS[step.status]}</span>
      {step.rejections.length > 0 ? <span className="badge badge-reasked">re-asked {step.rejections.length}×</span> : null}
      {step.replayed ? <span className={`badge badge-${step.replayed.source}`}>{step.replayed.source}</span> : null}
      {step.decided?.decision.kind === 'correct' ? <span className="badge badge-corrected">corrected</span> : null}
      {refinement ? <span className={`badge badge-refined${refinement.accepted ? '' : ' not-used'}`}>{refinement.accepted ? 'refined' : 'closer look not used'}</span> : null}
    </>
  );
}

export function StepView({ step, images, after, changes, dragStart, longestMs, video }: StepViewProps) {
  const classes = ['step', `status-${step.status}`];
  if (step.rejections.length > 0) classes.push('reasked');
  if (step.replayed) classes.push(`replay-${step.replayed.source}`);
  if (step.planned?.refinement) classes.push('refined');
  const overlay = stepOverlay(step, dragStart);
  const times = phaseTimes(step);
  const refinement = step.planned?.refinement;

  const rows: [string, ReactNode][] = [];
  if (step.planned) {
    rows.push(['action', step.planned.planned.description]);
    const performed = step.acted?.action as TraceAction | undefined;
    const point = performed ? pointOf(performed) : undefined;
    if (point) rows.push(['at', `(${point.x}, ${point.y}) on the screen`]);
    if (performed?.kind === 'drag' && dragStart) rows.push(['from', `(${dragStart.x}, ${dragStart.y}), where the pointer was`]);
    const modelPoint = pointOf(step.planned.planned.modelAction as TraceAction);
    if (modelPoint) rows.push(['model point', `(${fixed(modelPoint.x)}, ${fixed(modelPoint.y)}) on the 0..1000 grid`]);
  }
  if (step.decided && step.decided.decision.kind !== 'approve') {
    const decision = step.decided.decision;
    rows.push(['decision', decision.kind === 'correct' ? `corrected to (${decision.point.x}, ${decision.point.y})` : decision.kind === 'skip' && decision.reason ? `refused: ${decision.reason}` : decision.kind]);
  }
  if (step.replayed) {
    const replayed = step.replayed;
    const similarity = replayed.similarity !== undefined ? ` (similarity ${replayed.similarity.toFixed(3)}${replayed.threshold !== undefined ? `, needs ${replayed.threshold}` : ''})` : '';
    rows.push(['replay', `${replayed.source} of recorded step ${replayed.recordedStep}${similarity}`]);
  }
  const usage = stepUsage(step);
  if (usage.inputTokens + usage.outputTokens > 0) rows.push(['tokens', `${num(usage.inputTokens)} in / ${num(usage.outputTokens)} out${step.observed ? ` (screenshot ${num(step.observed.imageTokens)})` : ''}`]);
  const phaseWords = PHASES.filter((phase) => times[phase] >= 1 || (phase === 'capture' && step.observed)).map((phase) => {
    if (phase === 'capture' && step.observed) return `capture ${ms(step.observed.timings.grabMs)} + encode ${ms(step.observed.timings.encodeMs)}`;
    if (phase === 'model' && step.replies.length > 1) return `model ${ms(times.model)} (${step.replies.length} asks)`;
    if (phase === 'settle' && step.acted && !step.acted.settled) return `settle ${ms(times.settle)} (still changing)`;
    return `${phase} ${ms(times[phase])}`;
  });
  if (phaseWords.length > 0)
    rows.push([
      'time',
      <span className="phases">
        {phaseWords.map((words) => (
          <span key={words} className="phase-words">
            {words}
          </span>
        ))}
      </span>,
    ]);
  if (video) rows.push(['video', <a className="seek" href={`${video.src}#t=${(video.atMs / 1000).toFixed(2)}`} data-seek={(video.atMs / 1000).toFixed(3)}>{`▶ at ${clock(video.atMs)}`}</a>]);

  const used = step.usedReply ?? (step.replayed?.regrounding ? undefined : step.replies.at(-1));
  const regrounding = step.replayed?.regrounding;
  const thought = step.planned?.planned.thought;
  const beforeImage = step.observed ? images.get(step.observed.image.sha1) : undefined;
  const afterImage = after ? images.get(after.image.sha1) : undefined;
  const changed = changes ?? [];
  return (
    <section className={classes.join(' ')} id={`step-${step.step}`} data-step={step.step} data-status={step.status} data-replay={step.replayed?.source}>
      <details className="step-details" open={opensByItself(step)}>
        <summary>
          <h2>
            <span className="number">{step.step}</span> {stepTitle(step)} <Badges step={step} />
          </h2>
          <Timeline times={times} longestMs={longestMs} label={`Step ${step.step} time`} />
        </summary>
        <div className="body">
          {step.observed ? (
            <div className="screens">
              <Shot role="before" sha1={step.observed.image.sha1} image={beforeImage} size={step.observed.imageSize} alt={`The screen before step ${step.step}`} caption={<>Before: what the model saw</>}>
                {overlay ? <Overlay overlay={overlay} /> : null}
              </Shot>
              {after ? (
                <Shot
                  role="after"
                  sha1={after.image.sha1}
                  image={afterImage}
                  size={after.imageSize}
                  alt={`The settled screen after step ${step.step}`}
                  caption={
                    <>
                      After: the settled screen{after.from === 'final' ? ' (the final screenshot)' : after.from === 'end' ? ' (looked at as the run ended)' : ` (seen at step ${after.from})`}
                      {changes ? (changed.length > 0 ? `; ${changed.length === 1 ? 'the change is' : 'changes are'} outlined` : '; nothing changed') : ''}
                    </>
                  }
                >
                  {changed.length > 0 ? <ChangesOverlay size={after.imageSize} changes={changed} /> : null}
                </Shot>
              ) : step.acted ? (
                <p className="no-after">No screenshot was taken after this step (the run ended before the next one).</p>
              ) : null}
              {refinement ? (
                <Shot
                  role="closer"
                  sha1={refinement.image.sha1}
                  image={images.get(refinement.image.sha1)}
                  size={images.get(refinement.image.sha1) ?? { width: refinement.crop.width, height: refinement.crop.height }}
                  alt={`The closer look of step ${step.step}`}
                  caption={
                    <>
                      Closer look at {Math.round(refinement.crop.width)}×{Math.round(refinement.crop.height)} around ({Math.round(refinement.crop.x)}, {Math.round(refinement.crop.y)}): {refinement.accepted ? 'its point was used' : `not used${refinement.reason ? `: ${refinement.reason}` : ''}`} ({ms(refinement.requestMs)})
                    </>
                  }
                >
                  <svg className="overlay" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 1000" preserveAspectRatio="none" aria-hidden="true">
                    {/* The trace keeps the closer look's point and box in screen units: map them onto the crop. */}
                    <g transform={`scale(${1000 / refinement.crop.width} ${1000 / refinement.crop.height}) translate(${-refinement.crop.x} ${-refinement.crop.y})`}>
                    {refinement.box ? (
                      <rect className="planned-box" x={refinement.box.topLeft.x} y={refinement.box.topLeft.y} width={Math.max(1, refinement.box.bottomRight.x - refinement.box.topLeft.x)} height={Math.max(1, refinement.box.bottomRight.y - refinement.box.topLeft.y)} vectorEffect="non-scaling-stroke" strokeWidth={2} />
                    ) : null}
                    <g className="refined-point" data-x={refinement.point.x} data-y={refinement.point.y}>
                      <line x1={refinement.point.x - 30} y1={refinement.point.y} x2={refinement.point.x + 30} y2={refinement.point.y} vectorEffect="non-scaling-stroke" strokeWidth={3} />
                      <line x1={refinement.point.x} y1={refinement.point.y - 30} x2={refinement.point.x} y2={refinement.point.y + 30} vectorEffect="non-scaling-stroke" strokeWidth={3} />
                    </g>
                  </g>
                  </svg>
                </Shot>
              ) : null}
            </div>
          ) : null}
          <div className="details">
            {step.problem ? <p className="problem">{step.problem}</p> : null}
            {thought ? (
              <p className="thought">
                <span className="label">thought</span> {thought}
              </p>
            ) : null}
            {rows.length > 0 ? (
              <table className="facts">
                <tbody>
                  {rows.map(([name, value]) => (
                    <tr key={name}>
                      <th>{name}</th>
                      <td>{value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            {step.rejections.length > 0 ? (
              <div className="rejections">
                <h3>Replies not used</h3>
                <ul>
                  {step.rejections.map((rejection, index) => {
                    const reply = step.replies.find((candidate) => candidate.attempt === rejection.attempt);
                    return (
                      <li key={index} className="rejection">
                        <strong>{rejection.code}</strong>: {rejection.reason}
                        {reply ? <pre className="reply">{reply.text}</pre> : null}
                      </li>
                    );
                  })}
                </ul>
              </div>
            ) : null}
            {refinement ? (
              <details className="raw">
                <summary>Closer look reply</summary>
                <pre className="reply">{refinement.replyText}</pre>
              </details>
            ) : null}
            {regrounding ? (
              <details className="raw">
                <summary>
                  Re-grounding reply ({regrounding.attempts} ask{regrounding.attempts === 1 ? '' : 's'}, {ms(regrounding.requestMs)})
                </summary>
                <pre className="reply">{regrounding.text}</pre>
              </details>
            ) : null}
            {used ? (
              <details className="raw">
                <summary>Reply{step.replayed?.source === 'from-recording' ? ' (from the recording)' : ''}</summary>
                <pre className="reply">{used.text}</pre>
              </details>
            ) : null}
          </div>
        </div>
      </details>
    </section>
  );
}
