import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, PUSH_CHANNELS, deskpilotContract } from '../contract.ts';
import { WINDOW_KINDS, windowContracts } from './windows.ts';

describe('window kinds', () => {
  it('reach every channel of the contract between them, each through one kind', () => {
    const invokes = WINDOW_KINDS.flatMap((kind) => Object.keys(windowContracts[kind].invoke));
    const pushes = WINDOW_KINDS.flatMap((kind) => Object.keys(windowContracts[kind].push));
    expect([...invokes].sort()).toEqual([...INVOKE_CHANNELS].sort());
    expect([...pushes].sort()).toEqual([...PUSH_CHANNELS].sort());
  });

  it("share the contract's own schemas, not copies", () => {
    for (const kind of WINDOW_KINDS) {
      const { invoke, push } = windowContracts[kind] as { invoke: Record<string, unknown>; push: Record<string, unknown> };
      for (const [channel, schema] of Object.entries(invoke)) expect(schema).toBe((deskpilotContract.invoke as Record<string, unknown>)[channel]);
      for (const [channel, schema] of Object.entries(push)) expect(schema).toBe((deskpilotContract.push as Record<string, unknown>)[channel]);
    }
  });

  it('keep the overlay to its step and decision', () => {
    expect(Object.keys(windowContracts.overlay.invoke)).toEqual(['overlay:current', 'overlay:decide']);
    expect(Object.keys(windowContracts.overlay.push)).toEqual(['overlay-updated']);
  });
});
