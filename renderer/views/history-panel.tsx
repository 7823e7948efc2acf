import { useEffect } from 'react';
import { formatDuration, formatTokens } from '../run-state.ts';
import { useTaskStore } from '../task-store.ts';

const OUTCOME_WORDS = { done: 'Done', failed: 'Failed', stopped: 'Stopped' } as const;

/** Past runs: outcome, duration, steps, tokens. */
export function HistoryPanel() {
  const history = useTaskStore((state) => state.history);
  const refresh = useTaskStore((state) => state.refreshHistory);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  if (history.length === 0) return <p className="hint">No runs yet.</p>;
  return (
    <table className="history">
      <caption>Past runs, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Goal</th>
          <th scope="col">Outcome</th>
          <th scope="col">Duration</th>
          <th scope="col">Steps</th>
          <th scope="col">Tokens</th>
          <th scope="col">Started</th>
        </tr>
      </thead>
      <tbody>
        {history.map((run) => (
          <tr key={run.runId}>
            <th scope="row" className="history-goal">
              {run.preset !== undefined && <span className="history-preset">Preset {run.preset}: </span>}
              {run.goal}
              {run.answer !== undefined && <span className="history-answer">Answer: {run.answer}</span>}
            </th>
            <td>
              <span className={`badge badge-outcome-${run.outcome}`} title={run.reason}>
                {OUTCOME_WORDS[run.outcome]}
              </span>
            </td>
            <td>{formatDuration(run.durationMs)}</td>
            <td>{run.steps}</td>
            <td>{formatTokens(run.usage.inputTokens + run.usage.outputTokens)}</td>
            <td>
              <time dateTime={new Date(run.startedAt).toISOString()}>{new Date(run.startedAt).toLocaleString()}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
