import { describe, expectTypeOf, it } from 'vitest';
import type { DeskpilotApi, OverlayWindowApi, TaskWindowApi } from './create-api.ts';
import type { IpcResult, OverlayDecision, RunViewEvent } from './contract.ts';

// Checked by tsc (npm run typecheck): a wrong type or an unused @ts-expect-error fails it.

describe('DeskpilotApi type', () => {
  it('derives names, inputs and outputs from the contract', () => {
    expectTypeOf<DeskpilotApi['agent']['stop']>().toEqualTypeOf<(input?: Record<string, never>) => Promise<IpcResult<{ stopped: boolean }>>>();
    expectTypeOf<Parameters<DeskpilotApi['agent']['run']>[0]>().toEqualTypeOf<{ goal: string; approvalMode: 'always' | 'risky' | 'never' }>();
    expectTypeOf<Parameters<DeskpilotApi['on']['runUpdated']>[0]>().toEqualTypeOf<(payload: RunViewEvent) => void>();
    expectTypeOf<DeskpilotApi['settings']>().toHaveProperty('testConnection');
  });

  it("gives each window kind its own areas and only those", () => {
    expectTypeOf<keyof OverlayWindowApi>().toEqualTypeOf<'overlay' | 'on'>();
    expectTypeOf<keyof OverlayWindowApi['on']>().toEqualTypeOf<'overlayUpdated'>();
    expectTypeOf<Parameters<OverlayWindowApi['overlay']['decide']>[0]>().toEqualTypeOf<OverlayDecision>();
    expectTypeOf<keyof TaskWindowApi>().toEqualTypeOf<'agent' | 'settings' | 'history' | 'presets' | 'on'>();
    expectTypeOf<keyof TaskWindowApi['on']>().toEqualTypeOf<'runUpdated' | 'settingsUpdated' | 'viewRequested' | 'presetRequested'>();
    expectTypeOf<TaskWindowApi['agent']['run']>().toEqualTypeOf<DeskpilotApi['agent']['run']>();

    const callsOnOverlay = (overlay: OverlayWindowApi) => {
      // @ts-expect-error an overlay window cannot reach the settings
      void overlay.settings.save;
      // @ts-expect-error nor start a run
      void overlay.agent.run;
      // @ts-expect-error nor hear the run's events
      void overlay.on.runUpdated;
    };
    const callsOnTask = (task: TaskWindowApi) => {
      // @ts-expect-error the task window does not decide the overlay's step
      void task.overlay.decide;
    };
    expectTypeOf(callsOnOverlay).toBeFunction();
    expectTypeOf(callsOnTask).toBeFunction();
  });
});
