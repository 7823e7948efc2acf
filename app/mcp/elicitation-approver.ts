import type { Approver, Decision } from '../../agent/ports.ts';
import type { PlannedStep } from '../../agent/planned-step.ts';

// Risky steps (send, delete, pay, close, type a secret) wait for a person. Over MCP the person is
// behind the client: where the client supports elicitation, the step is put to them there; a
// decline, a cancel, a malformed answer or no answer in time refuses the step (nothing is done, the
// model is told), and a stop of the call stops the run.

export type Elicit = (
  request: { message: string; requestedSchema: { type: 'object'; properties: Record<string, { type: 'boolean'; title: string; description: string }>; required: string[] } },
  options: { signal?: AbortSignal; timeout: number },
) => Promise<{ action: 'accept' | 'decline' | 'cancel'; content?: Record<string, unknown> }>;

export type ElicitationApproverOptions = {
  readonly elicit: Elicit;
  /** Masks secrets in what the person is shown. */
  readonly mask?: (text: string) => string;
  /** How long the person has to answer (default 5 minutes). */
  readonly timeoutMs?: number;
};

export class ElicitationApprover implements Approver {
  constructor(private readonly options: ElicitationApproverOptions) {}

  async decide(step: PlannedStep, signal?: AbortSignal): Promise<Decision> {
    const mask = this.options.mask ?? ((text: string) => text);
    const message = [`Deskpilot wants to: ${mask(step.description)}`, step.thought ? `Because: ${mask(step.thought)}` : '', 'This step was flagged as risky. Allow it?'].filter(Boolean).join('\n');
    let answer: Awaited<ReturnType<Elicit>>;
    try {
      answer = await this.options.elicit(
        { message, requestedSchema: { type: 'object', properties: { allow: { type: 'boolean', title: 'Allow this step', description: 'Yes performs it; no skips it and tells the model why.' } }, required: ['allow'] } },
        { ...(signal ? { signal } : {}), timeout: this.options.timeoutMs ?? 300_000 },
      );
    } catch (error) {
      if (signal?.aborted) return { kind: 'stop' };
      return { kind: 'skip', reason: `a risky step needs a person's approval and asking through the client failed (${error instanceof Error ? error.message : String(error)})` };
    }
    if (answer.action === 'accept' && answer.content?.allow === true) return { kind: 'approve' };
    return { kind: 'skip', reason: answer.action === 'accept' ? 'the person did not allow this risky step' : `the person ${answer.action === 'decline' ? 'declined' : 'cancelled'} this risky step` };
  }
}
