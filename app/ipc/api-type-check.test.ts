import { describe, expectTypeOf, it } from 'vitest';
import type { DeskpilotApi } from './create-api.ts';
import type { IpcResult, RunViewEvent } from './contract.ts';

describe('DeskpilotApi type', () => {
  it('derives names, inputs and outputs from the contract', () => {
    expectTypeOf<DeskpilotApi['agent']['stop']>().toEqualTypeOf<(input?: Record<string, never>) => Promise<IpcResult<{ stopped: boolean }>>>();
    expectTypeOf<Parameters<DeskpilotApi['agent']['run']>[0]>().toEqualTypeOf<{ goal: string; approvalMode: 'always' | 'risky' | 'never' }>();
    expectTypeOf<Parameters<DeskpilotApi['on']['runUpdated']>[0]>().toEqualTypeOf<(payload: RunViewEvent) => void>();
    expectTypeOf<DeskpilotApi['settings']>().toHaveProperty('testConnection');
  });
});
