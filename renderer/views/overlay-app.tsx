import { useCallback, useEffect, useLayoutEffect, useRef, useState, type MouseEvent } from 'react';
import type { OverlayDecision, OverlayView } from '../../app/ipc/contract.ts';
import { call, messageOf, overlayApi } from '../bridge.ts';

/** Which display this overlay window covers: `overlay.html?display=<id>`. */
export function displayIdFromLocation(search: string): string {
  return new URLSearchParams(search).get('display') ?? '';
}

type Choice = 'approve' | 'skip' | 'stop';

/**
 * The transparent window over one display. While a step waits for the person it draws the target
 * box, the point that will be clicked and the action in words, exactly where main placed them (in
 * this window's CSS pixels). Enter does it, S skips, Esc stops; a click anywhere else on the screen
 * moves the target there.
 */
export function OverlayApp({ displayId }: { displayId: string }) {
  const [view, setView] = useState<OverlayView | null>(null);
  const [sent, setSent] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();

  useEffect(() => {
    const bridge = overlayApi();
    const stop = bridge.on.overlayUpdated((update) => {
      if (update.displayId !== displayId) return;
      setView(update.view);
      setSent(false);
      setProblem(undefined);
    });
    void call(bridge.overlay.current({ displayId }))
      .then(({ view: current }) => setView((shown) => shown ?? current))
      .catch((error) => setProblem(messageOf(error)));
    return stop;
  }, [displayId]);

  const decide = useCallback(
    async (decision: OverlayDecision) => {
      setSent(true);
      setProblem(undefined);
      try {
        const answer = await call(overlayApi().overlay.decide(decision));
        if (!answer.accepted) {
          setSent(false);
          setProblem(answer.reason ?? 'That was not accepted.');
        }
      } catch (error) {
        setSent(false);
        setProblem(messageOf(error));
      }
    },
    [],
  );

  const choose = useCallback((choice: Choice) => view && !sent && void decide({ runId: view.runId, step: view.step, choice }), [view, sent, decide]);

  useEffect(() => {
    if (!view) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.altKey || event.metaKey) return;
      // A focused button answers Enter and Space itself.
      const onButton = event.target instanceof HTMLButtonElement;
      if (event.key === 'Escape') choose('stop');
      else if (event.key === 's' || event.key === 'S') choose('skip');
      else if (event.key === 'Enter' && !onButton) choose('approve');
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [view, choose]);

  if (!view) return problem ? <p role="alert" className="overlay-problem">{problem}</p> : null;

  const correct = (event: MouseEvent<HTMLDivElement>) => {
    if (sent || !view.canCorrect) return;
    void decide({ runId: view.runId, step: view.step, choice: 'correct', displayId, x: event.clientX, y: event.clientY });
  };

  return (
    <div className={`overlay-surface${view.canCorrect ? ' overlay-correctable' : ''}`} onClick={correct} data-testid="overlay-surface">
      {view.box && (
        <div
          className={`target-box${view.risk.risky ? ' target-box-risky' : ''}`}
          role="img"
          aria-label={`Target of step ${view.step}`}
          data-testid="target-box"
          style={{ left: view.box.left, top: view.box.top, width: view.box.width, height: view.box.height }}
        />
      )}
      {view.point && <div className="target-point" aria-hidden="true" data-testid="target-point" style={{ left: view.point.x, top: view.point.y }} />}
      <ControlBar view={view} sent={sent} problem={problem} onChoose={choose} />
    </div>
  );
}

const BAR_WIDTH = 380;
const GAP = 14;

function ControlBar({ view, sent, problem, onChoose }: { view: OverlayView; sent: boolean; problem: string | undefined; onChoose: (choice: Choice) => void }) {
  const barRef = useRef<HTMLDivElement>(null);
  const doRef = useRef<HTMLButtonElement>(null);
  const [position, setPosition] = useState<{ left: number; top: number }>({ left: GAP, top: GAP });

  // Beside the target, never on it: below the box when there is room, else above, inside the window.
  useLayoutEffect(() => {
    const bar = barRef.current;
    if (!bar) return;
    const height = bar.offsetHeight;
    const anchor = view.box ?? (view.point ? { left: view.point.x, top: view.point.y, width: 0, height: 0 } : undefined);
    if (!anchor) {
      setPosition({ left: Math.max(GAP, (window.innerWidth - BAR_WIDTH) / 2), top: Math.max(GAP, window.innerHeight / 3) });
      return;
    }
    const below = anchor.top + anchor.height + GAP;
    const top = below + height <= window.innerHeight - GAP ? below : Math.max(GAP, anchor.top - GAP - height);
    const left = Math.min(Math.max(GAP, anchor.left + anchor.width / 2 - BAR_WIDTH / 2), window.innerWidth - BAR_WIDTH - GAP);
    setPosition({ left, top });
  }, [view]);

  useEffect(() => {
    doRef.current?.focus();
  }, [view]);

  return (
    <div
      ref={barRef}
      className={`control-bar${view.risk.risky ? ' control-bar-risky' : ''}`}
      role="dialog"
      aria-modal="true"
      aria-labelledby="control-title"
      aria-describedby="control-hint"
      style={{ left: position.left, top: position.top, width: BAR_WIDTH }}
      onClick={(event) => event.stopPropagation()}
    >
      <p className="control-step">Step {view.step}</p>
      <h1 id="control-title" className="control-title">
        {view.description}
      </h1>
      {view.thought && <p className="control-thought">{view.thought}</p>}
      {view.risk.risky && (
        <p className="control-risk" role="alert">
          {view.risk.reasons.join(' ')}
        </p>
      )}
      <div className="control-buttons">
        <button ref={doRef} type="button" className="button button-primary" onClick={() => onChoose('approve')} disabled={sent} aria-keyshortcuts="Enter">
          Do it <kbd>Enter</kbd>
        </button>
        <button type="button" className="button" onClick={() => onChoose('skip')} disabled={sent} aria-keyshortcuts="S">
          Skip <kbd>S</kbd>
        </button>
        <button type="button" className="button button-danger" onClick={() => onChoose('stop')} disabled={sent} aria-keyshortcuts="Escape">
          Stop <kbd>Esc</kbd>
        </button>
      </div>
      <p id="control-hint" className="control-hint">
        {view.canCorrect ? 'Or click where it should act instead.' : 'Enter does it, S skips, Esc stops.'}
      </p>
      {problem && (
        <p className="control-problem" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
