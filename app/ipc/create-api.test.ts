import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, deskpilotContract, overlayWindowContract, taskWindowContract, type Contract, type InvokeChannelOf, type PushChannelOf } from './contract.ts';
import { createDeskpilotApi, methodPath, type Transport } from './create-api.ts';

function fakeTransport<K extends Contract>(answer: (channel: InvokeChannelOf<K>, input: unknown) => unknown) {
  const invoked: [InvokeChannelOf<K>, unknown][] = [];
  const listeners = new Map<PushChannelOf<K>, Set<(payload: unknown) => void>>();
  const transport: Transport<K> = {
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
  const push = (channel: PushChannelOf<K>, payload: unknown) => listeners.get(channel)?.forEach((listener) => listener(payload));
  return { transport, invoked, push, listeners };
}

/** Every `area.method` and `on.event` of an API object. */
const surfaceOf = (api: unknown) =>
  Object.entries(api as Record<string, Record<string, unknown>>)
    .flatMap(([area, members]) => Object.keys(members).map((member) => `${area}.${member}`))
    .sort();

describe('createDeskpilotApi', () => {
  it('has one named method per channel and nothing else: no raw invoke', () => {
    const api = createDeskpilotApi(deskpilotContract, fakeTransport<typeof deskpilotContract>(() => undefined).transport) as unknown as Record<string, Record<string, unknown>>;
    const methods = surfaceOf(api).filter((member) => !member.startsWith('on.'));
    expect(methods).toEqual(INVOKE_CHANNELS.map((channel) => methodPath(channel).join('.')).sort());
    expect(methods).toContain('settings.testConnection');
    expect(Object.keys(api.on!).sort()).toEqual(['overlayUpdated', 'presetRequested', 'runUpdated', 'settingsUpdated', 'viewRequested']);
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/invoke|send|ipc/i);
    expect(Object.isFrozen(api) && Object.isFrozen(api.agent)).toBe(true);
  });

  it('sends on the channel the method names, and checks the answer against the contract', async () => {
    const { transport, invoked } = fakeTransport<typeof taskWindowContract>((channel) => (channel === 'agent:run' ? { ok: true, value: { runId: 'run-1' } } : { ok: true, value: { stopped: 'yes' } }));
    const api = createDeskpilotApi(taskWindowContract, transport);
    expect(await api.agent.run({ goal: 'x', approvalMode: 'never' })).toEqual({ ok: true, value: { runId: 'run-1' } });
    expect(invoked).toEqual([['agent:run', { goal: 'x', approvalMode: 'never' }]]);
    expect(await api.agent.stop()).toMatchObject({ ok: false, error: { code: 'INVALID_REPLY' } });
  });

  it('passes errors on with their code and issues', async () => {
    const error = { code: 'INVALID_INPUT', message: 'bad', issues: [{ path: 'maxSteps', message: 'At least one step.' }] };
    const api = createDeskpilotApi(taskWindowContract, fakeTransport<typeof taskWindowContract>(() => ({ ok: false, error })).transport);
    expect(await api.history.list()).toEqual({ ok: false, error });
    const garbage = createDeskpilotApi(taskWindowContract, fakeTransport<typeof taskWindowContract>(() => 'garbage').transport);
    expect(await garbage.history.list()).toMatchObject({ ok: false, error: { code: 'INVALID_REPLY' } });
  });

  it('delivers valid pushes, drops invalid ones, and unsubscribes', () => {
    const { transport, push, listeners } = fakeTransport<typeof taskWindowContract>(() => undefined);
    const invalid: string[] = [];
    const api = createDeskpilotApi(taskWindowContract, transport, { onInvalidPush: (channel) => invalid.push(channel) });
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

describe("each window kind's API", () => {
  it("gives an overlay window the overlay's channels and none of the runs, settings, presets or history ones", async () => {
    const { transport, invoked, push } = fakeTransport<typeof overlayWindowContract>((channel) =>
      channel === 'overlay:decide' ? { ok: true, value: { accepted: true } } : { ok: true, value: { view: null } },
    );
    const api = createDeskpilotApi(overlayWindowContract, transport);
    expect(surfaceOf(api)).toEqual(['on.overlayUpdated', 'overlay.current', 'overlay.decide']);
    for (const area of ['agent', 'settings', 'presets', 'history']) expect(api, area).not.toHaveProperty(area);
    for (const event of ['runUpdated', 'settingsUpdated', 'viewRequested', 'presetRequested']) expect(api.on, event).not.toHaveProperty(event);

    expect(await api.overlay.current({ displayId: '1' })).toEqual({ ok: true, value: { view: null } });
    expect(await api.overlay.decide({ runId: 'run-1', step: 1, choice: 'approve' })).toEqual({ ok: true, value: { accepted: true } });
    expect(invoked.map(([channel]) => channel)).toEqual(['overlay:current', 'overlay:decide']);
    const shown: unknown[] = [];
    api.on.overlayUpdated((update) => shown.push(update));
    push('overlay-updated', { displayId: '1', view: null });
    expect(shown).toEqual([{ displayId: '1', view: null }]);

    const wide = api as unknown as Record<string, Record<string, unknown> | undefined>;
    expect(wide.settings?.get).toBeUndefined();
    // A settings call on the overlay API cannot be written: tsc refuses the next line.
    // @ts-expect-error the overlay window's API has no settings area
    expect(() => api.settings.get()).toThrow(TypeError);
    expect(invoked).toHaveLength(2);
  });

  it("gives the task window every area but the overlay's", () => {
    const api = createDeskpilotApi(taskWindowContract, fakeTransport<typeof taskWindowContract>(() => undefined).transport);
    const surface = surfaceOf(api);
    expect(surface.filter((member) => member.startsWith('overlay.') || member === 'on.overlayUpdated')).toEqual([]);
    expect(surface).toEqual(
      [
        'agent.run', 'agent.status', 'agent.stop',
        'history.list', 'history.openReport',
        'on.presetRequested', 'on.runUpdated', 'on.settingsUpdated', 'on.viewRequested',
        'presets.list', 'presets.run',
        'settings.check', 'settings.get', 'settings.save', 'settings.testConnection',
      ],
    );
  });
});
