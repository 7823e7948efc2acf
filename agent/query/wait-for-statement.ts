import { checkExpectation, type ExpectationCheck } from '../preset/check-expectation.ts';
import { waitForStillScreen } from '../loop/settle.ts';
import type { RunPolicy } from '../policy.ts';
import type { Clock, Model, Screen } from '../ports.ts';

// Waiting until a statement about the screen is true, cheaply: the screen is let settle first and
// the model asked once; after a "no", nothing is asked again until the pixels change (a fingerprint
// is a few milliseconds, a model check a second or more), and then only once the change has settled.

export type WaitForStatementOptions = {
  readonly statement: string;
  readonly screen: Screen;
  readonly model: Model;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly policy: Pick<RunPolicy, 'imageTokenBudget' | 'settleCapMs' | 'settleIntervalMs' | 'settleQuietMs' | 'settleNoChangeMs'>;
  /** Time between two fingerprints while waiting for a change (default the settle interval, at least 50 ms). */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** Told about each model check as it is answered. */
  readonly onCheck?: (check: ExpectationCheck) => void;
};

export type WaitForStatementResult = {
  readonly met: boolean;
  /** The last check made (there is always at least one). */
  readonly last: ExpectationCheck;
  /** How many model checks were made. */
  readonly checks: number;
  readonly ms: number;
};

export async function waitForStatement(options: WaitForStatementOptions): Promise<WaitForStatementResult> {
  const { screen, clock, policy, signal } = options;
  const started = clock.now();
  const deadline = started + options.timeoutMs;
  const pollMs = options.pollMs ?? Math.max(50, policy.settleIntervalMs);
  let checks = 0;
  for (;;) {
    const settled = await settleScreen(options);
    const check = await checkExpectation({ question: options.statement, model: options.model, screen, imageTokenBudget: policy.imageTokenBudget, now: () => clock.now(), ...(signal ? { signal } : {}) });
    checks += 1;
    options.onCheck?.(check);
    if (check.answer === 'yes') return { met: true, last: check, checks, ms: clock.now() - started };
    // Only a change of the pixels seen at the check can make the answer different.
    let current = await screen.fingerprint(signal);
    while (current === settled && clock.now() < deadline) {
      await clock.sleep(Math.min(pollMs, Math.max(1, deadline - clock.now())), signal);
      current = await screen.fingerprint(signal);
    }
    if (current === settled || clock.now() >= deadline) return { met: false, last: check, checks, ms: clock.now() - started };
  }
}

/** Lets the screen come to rest (nothing was just done, so no wait for a late reaction); returns the still screen's fingerprint. */
export async function settleScreen(options: Pick<WaitForStatementOptions, 'screen' | 'clock' | 'policy' | 'signal'>): Promise<string> {
  const { screen, clock, policy, signal } = options;
  const before = await screen.fingerprint(signal);
  await waitForStillScreen({
    screen,
    clock,
    before,
    capMs: policy.settleCapMs,
    intervalMs: policy.settleIntervalMs,
    quietMs: policy.settleQuietMs,
    noChangeMs: 0,
    ...(signal ? { signal } : {}),
  });
  return screen.fingerprint(signal);
}
