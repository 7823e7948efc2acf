import { useEffect, useState } from 'react';
import { formatDuration, formatTokens, type RunState, type StepView } from '../run-state.ts';
import { useTaskStore } from '../task-store.ts';
import { EndingReason } from './ending-reason.tsx';

const DECISION_WORDS = { approve: 'Approved', skip: 'Skipped', stop: 'Stopped here', correct: 'Corrected' } as const;
const OUTCOME_WORDS = { running: 'Running', done: 'Done', failed: 'Failed', stopped: 'Stopped' } as const;

/** The run as it happens: a line of totals, then each step with its screenshot and what was done. */
export function RunView() {
  const run = useTaskStore((state) => state.run);
  if (!run) {
    return (
      <section className="run run-empty" aria-label="Run">
        <p className="hint">Type a goal and press Enter. Each step shows the screen the model saw, the box it chose, and what it did.</p>
      </section>
    );
  }
  return (
    <section className="run" aria-labelledby="run-heading">
      {run.preset !== undefined && (
        <p className="run-preset">
          <span className="field-label">Preset</span> {run.preset}
        </p>
      )}
      <h2 id="run-heading" className="run-goal">
        {run.goal}
      </h2>
      <RunSummary run={run} />
      <ol className="steps" aria-label="Steps">
        {run.steps.map((step) => (
          <StepItem key={step.step} step={step} asked={run.approvalMode === 'always' || (run.approvalMode === 'risky' && (step.risk?.risky ?? false))} />
        ))}
      </ol>
      {run.finalScreen && <FinalScreen shot={run.finalScreen} />}
    </section>
  );
}

function RunSummary({ run }: { run: RunState }) {
  const elapsed = useElapsed(run);
  const tokens = formatTokens(run.usage.inputTokens + run.usage.outputTokens);
  return (
    <>
      <p className={`run-status run-status-${run.status}`} role="status" aria-live="polite">
        <strong>{OUTCOME_WORDS[run.status]}</strong>
        {run.ended ? ` after ${run.ended.steps} step${run.ended.steps === 1 ? '' : 's'}` : ` · step ${run.steps.length}`} · {tokens} tokens · {formatDuration(elapsed)}
      </p>
      {run.ended && (
        <div className={`outcome outcome-${run.ended.outcome}`}>
          {run.ended.answer !== undefined && (
            <p className="answer">
              <span className="field-label">Answer</span> {run.ended.answer}
            </p>
          )}
          <EndingReason reason={run.ended.reason} field={run.ended.field} />
        </div>
      )}
    </>
  );
}

/** Milliseconds since the run started, ticking while it runs; the run's own duration once it ends. */
function useElapsed(run: RunState): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (run.status !== 'running') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [run.status]);
  return run.ended ? run.ended.durationMs : Math.max(0, now - run.startedAt);
}

/** `asked`: whether the approval mode put this step before the person. */
function StepItem({ step, asked }: { step: StepView; asked: boolean }) {
  const tokens = step.usage.inputTokens + step.usage.outputTokens;
  return (
    <li className="step" aria-label={`Step ${step.step}`}>
      <Thumbnail step={step} />
      <div className="step-text">
        <p className="step-action">
          <span className="step-number">{step.step}.</span> {step.acted?.description ?? step.description ?? 'Asking the model…'}
        </p>
        {step.thought && <p className="step-thought">{step.thought}</p>}
        {step.risk?.risky && <p className="step-risk">{step.risk.reasons.join(' ')}</p>}
        {step.rejections.map((rejection, index) => (
          <p key={index} className="step-rejection">
            Reply not used ({rejection.code}): {rejection.reason}
          </p>
        ))}
        <p className="step-meta">
          {step.decision && (
            <span className={`badge badge-${step.decision}`}>
              {step.decision === 'approve' && !asked ? 'Done without asking' : DECISION_WORDS[step.decision]}
              {step.correctedTo ? ` to (${step.correctedTo.x}, ${step.correctedTo.y})` : ''}
            </span>
          )}
          <span>{formatTokens(tokens)} tokens</span>
          <span>model {formatDuration(step.modelMs)}</span>
          {step.acted && <span>acted {formatDuration(step.acted.actionMs + step.acted.settleMs)}</span>}
          {step.acted && !step.acted.changed && <span>screen unchanged</span>}
        </p>
      </div>
    </li>
  );
}

/** The screen after the last acted step, shown as the steps' screenshots are: no later step looked at it. */
function FinalScreen({ shot }: { shot: NonNullable<RunState['finalScreen']> }) {
  const words = `The screen after step ${shot.step}, when the run ended`;
  return (
    <section className="step final-screen" aria-label="Final screen">
      <figure className="thumb">
        <img src={shot.image} alt={words} />
      </figure>
      <div className="step-text">
        <p className="step-action">{words}</p>
      </div>
    </section>
  );
}

function Thumbnail({ step }: { step: StepView }) {
  if (!step.image) return <div className="thumb thumb-empty" aria-hidden="true" />;
  const { box, point } = step.marks ?? {};
  const percent = (value: number) => `${(value * 100).toFixed(3)}%`;
  return (
    <figure className="thumb">
      <img src={step.image} alt={`The screen before step ${step.step}${step.description ? `: ${step.description}` : ''}`} />
      {box && <span className="thumb-box" aria-hidden="true" style={{ left: percent(box.left), top: percent(box.top), width: percent(box.width), height: percent(box.height) }} />}
      {point && <span className="thumb-point" aria-hidden="true" style={{ left: percent(point.x), top: percent(point.y) }} />}
    </figure>
  );
}
