import { useEffect, useState } from 'react';
import { api, call, messageOf } from '../bridge.ts';
import { formatDuration, formatTokens } from '../run-state.ts';
import { useTaskStore } from '../task-store.ts';
import { EndingReason } from './ending-reason.tsx';

const OUTCOME_WORDS = { done: 'Done', failed: 'Failed', stopped: 'Stopped' } as const;

/** Past runs: outcome, duration, steps, tokens, and the report of each run that left a trace. */
export function HistoryPanel() {
  const history = useTaskStore((state) => state.history);
  const refresh = useTaskStore((state) => state.refreshHistory);
  const [reports, setReports] = useState<Readonly<Record<string, { opening?: true; file?: string; problem?: string }>>>({});
  useEffect(() => {
    void refresh();
  }, [refresh]);
  const openReport = async (runId: string) => {
    setReports((current) => ({ ...current, [runId]: { opening: true } }));
    try {
      const { file } = await call(api().history.openReport({ runId }));
      setReports((current) => ({ ...current, [runId]: { file } }));
    } catch (error) {
      setReports((current) => ({ ...current, [runId]: { problem: messageOf(error) } }));
    }
  };

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
          <th scope="col">Report</th>
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
              {/* A run that did not get there says why, as the run view said it when it ended. */}
              {run.outcome !== 'done' && <EndingReason reason={run.reason} field={run.field} className="history-reason" />}
            </td>
            <td>{formatDuration(run.durationMs)}</td>
            <td>{run.steps}</td>
            <td>{formatTokens(run.usage.inputTokens + run.usage.outputTokens)}</td>
            <td>
              <time dateTime={new Date(run.startedAt).toISOString()}>{new Date(run.startedAt).toLocaleString()}</time>
            </td>
            <td>
              {run.traceDir !== undefined ? (
                <>
                  <button type="button" className="history-report" aria-label={`Open the report of: ${run.goal}`} title={run.traceDir} disabled={reports[run.runId]?.opening === true} onClick={() => void openReport(run.runId)}>
                    Report
                  </button>
                  {reports[run.runId]?.file !== undefined && <span className="history-report-file" role="status">Opened {reports[run.runId]!.file}</span>}
                  {reports[run.runId]?.problem !== undefined && <span className="history-report-problem" role="alert">{reports[run.runId]!.problem}</span>}
                </>
              ) : (
                <span className="hint">none</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
