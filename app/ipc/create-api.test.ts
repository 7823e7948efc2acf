import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, type InvokeChannel, type PushChannel } from './contract.ts';
import { createDeskpilotApi, methodPath, type Transport } from './create-api.ts';

function fakeTransport(answer: (channel: InvokeChannel, input: unknown) => unknown) {
  const invoked: [InvokeChannel, unknown][] = [];
  const listeners = new Map<PushChannel, Set<(payload: unknown) => void>>();
  const transport: Transport = {
    async invoke(channel, input) {
      invoked.push([channel, input]);
      return answer(channel, input);
    },
    subscribe(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  };
  const push = (channel: PushChannel, payload: unknown) => listeners.get(channel)?.forEach((listener) => listener(payload));
  return { transport, invoked, push, listeners };
}

describe('createDeskpilotApi', () => {
  it('has one named method per channel and nothing else: no raw invoke', () => {
    const api = createDeskpilotApi(fakeTransport(() => undefined).transport) as unknown as Record<string, Record<string, unknown>>;
    const methods = Object.entries(api)
      .filter(([area]) => area !== 'on')
      .flatMap(([area, methods]) => Object.keys(methods).map((method) => `${area}.${method}`))
      .sort();
    expect(methods).toEqual(INVOKE_CHANNELS.map((channel) => methodPath(channel).join('.')).sort());
    expect(methods).toContain('settings.testConnection');
    expect(Object.keys(api.on!).sort()).toEqual(['overlayUpdated', 'presetRequested', 'runUpdated', 'settingsUpdated', 'viewRequested']);
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/invoke|send|ipc/i);
    expect(Object.isFrozen(api) && Object.isFrozen(api.agent)).toBe(true);
  });

  it('sends on the channel the method names, and checks the answer against the contract', async () => {
    const { transport, invoked } = fakeTransport((channel) => (channel === 'agent:run' ? { ok: true, value: { runId: 'run-1' } } : { ok: true, value: { stopped: 'yes' } }));
    const api = createDeskpilotApi(transport);
    expect(await api.agent.run({ goal: 'x', approvalMode: 'never' })).toEqual({ ok: true, value: { runId: 'run-1' } });
    expect(invoked).toEqual([['agent:run', { goal: 'x', approvalMode: 'never' }]]);
    expect(await api.agent.stop()).toMatchObject({ ok: false, error: { code: 'INVALID_REPLY' } });
  });

  it('passes errors on with their code and issues', async () => {
    const error = { code: 'INVALID_INPUT', message: 'bad', issues: [{ path: 'maxSteps', message: 'At least one step.' }] };
    const api = createDeskpilotApi(fakeTransport(() => ({ ok: false, error })).transport);
    expect(await api.history.list()).toEqual({ ok: false, error });
    const garbage = createDeskpilotApi(fakeTransport(() => 'garbage').transport);
    expect(await garbage.history.list()).toMatchObject({ ok: false, error: { code: 'INVALID_REPLY' } });
  });

  it('delivers valid pushes, drops invalid ones, and unsubscribes', () => {
    const { transport, push, listeners } = fakeTransport(() => undefined);
    const invalid: string[] = [];
    const api = createDeskpilotApi(transport, { onInvalidPush: (channel) => invalid.push(channel) });
    const seen: unknown[] = [];
    const unsubscribe = api.on.viewRequested((payload) => seen.push(payload));
    push('view-requested', { view: 'settings' });
    push('view-requested', { view: 'somewhere' });
    expect(seen).toEqual([{ view: 'settings' }]);
    expect(invalid).toEqual(['view-requested']);
    unsubscribe();
    expect(listeners.get('view-requested')?.size).toBe(0);
    push('view-requested', { view: 'task' });
    expect(seen).toHaveLength(1);
  });
});
