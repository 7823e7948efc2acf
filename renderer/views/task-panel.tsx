import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { APPROVAL_MODE_LABELS, ApprovalModeSchema, GoalSchema, type ApprovalMode } from '../../app/ipc/contract.ts';
import { providerOf } from '../../app/ipc/provider-catalog.ts';
import { api, call, messageOf } from '../bridge.ts';
import { useTaskStore } from '../task-store.ts';
import { PresetsPanel } from './presets-panel.tsx';
import { RunView } from './run-view.tsx';

/** A goal, the model and approval mode at hand, start and stop; the run below. */
export function TaskPanel() {
  const settings = useTaskStore((state) => state.settings);
  const history = useTaskStore((state) => state.history);
  const run = useTaskStore((state) => state.run);
  const setTab = useTaskStore((state) => state.setTab);
  const [goal, setGoal] = useState('');
  const [mode, setMode] = useState<ApprovalMode | undefined>(undefined);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const recall = useRef(-1);
  const goalRef = useRef<HTMLInputElement>(null);
  const ids = { goal: useId(), goalHint: useId(), goals: useId(), mode: useId(), error: useId() };

  const approvalMode = mode ?? settings?.approvalMode ?? 'always';
  const running = run?.status === 'running';
  // Past goals, newest first and each once: suggestions in the list, and Up/Down to recall them.
  const pastGoals = useMemo(() => [...new Set(history.map((record) => record.goal))], [history]);

  useEffect(() => {
    goalRef.current?.focus();
  }, []);

  const start = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = GoalSchema.safeParse(goal);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Type a goal first.');
      goalRef.current?.focus();
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      await call(api().agent.run({ goal: parsed.data, approvalMode }));
      recall.current = -1;
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const stop = async () => {
    try {
      await call(api().agent.stop());
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  const onGoalKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    if (pastGoals.length === 0 || (goal !== '' && recall.current === -1)) return;
    event.preventDefault();
    const next = Math.max(-1, Math.min(pastGoals.length - 1, recall.current + (event.key === 'ArrowUp' ? 1 : -1)));
    recall.current = next;
    setGoal(next === -1 ? '' : pastGoals[next]!);
  };

  const provider = settings ? providerOf(settings.provider) : undefined;

  return (
    <>
      <form className="goal-form" onSubmit={start} noValidate>
        <label htmlFor={ids.goal} className="field-label">
          Goal
        </label>
        <div className="goal-row">
          <input
            ref={goalRef}
            id={ids.goal}
            name="goal"
            className="goal-input"
            type="text"
            autoComplete="off"
            list={ids.goals}
            placeholder="e.g. open the text editor and type hello"
            value={goal}
            onChange={(event) => {
              setGoal(event.target.value);
              recall.current = -1;
            }}
            onKeyDown={onGoalKey}
            aria-describedby={`${ids.goalHint}${error ? ` ${ids.error}` : ''}`}
            aria-invalid={error ? true : undefined}
            disabled={running}
          />
          {running ? (
            <button type="button" className="button button-danger" onClick={stop} aria-keyshortcuts={settings?.shortcuts.stopAll}>
              Stop
            </button>
          ) : (
            <button type="submit" className="button button-primary" disabled={busy}>
              Start
            </button>
          )}
        </div>
        <datalist id={ids.goals}>
          {pastGoals.map((past) => (
            <option key={past} value={past} />
          ))}
        </datalist>
        <p id={ids.goalHint} className="hint">
          Enter starts. Up recalls earlier goals.{settings ? ` ${settings.shortcuts.stopAll} stops from anywhere.` : ''}
        </p>
        {error && (
          <p id={ids.error} role="alert" className="field-error">
            {error}
          </p>
        )}
        <div className="at-hand">
          <p className="at-hand-item">
            <span className="field-label">Model</span>
            <span className="model-name">{settings ? `${settings.model} · ${provider?.label}` : '…'}</span>
            <button type="button" className="button button-link" onClick={() => setTab('settings')}>
              Change model
            </button>
          </p>
          <div className="at-hand-item">
            <label htmlFor={ids.mode} className="field-label">
              Approval
            </label>
            <select id={ids.mode} value={approvalMode} onChange={(event) => setMode(ApprovalModeSchema.parse(event.target.value))} disabled={running}>
              {ApprovalModeSchema.options.map((option) => (
                <option key={option} value={option}>
                  {APPROVAL_MODE_LABELS[option]}
                </option>
              ))}
            </select>
          </div>
        </div>
      </form>
      <PresetsPanel running={running} />
      <RunView />
    </>
  );
}
