import { historyContract } from './contract/history.ts';
import { navigationContract } from './contract/navigation.ts';
import { overlayContract } from './contract/overlay.ts';
import { presetsContract } from './contract/presets.ts';
import { runsContract } from './contract/runs.ts';
import { settingsContract } from './contract/settings.ts';
import { defineContract, type InputOf, type OutputOf, type ParsedInputOf, type PushPayloadOf } from './contract/shared.ts';

// The one contract between the main process and its windows. Every channel has a name, a schema for
// what it receives and one for what it answers, so the TypeScript types come from the schemas and
// the same schemas check every message on the side that receives it (after Playwright's protocol
// file). Nothing else crosses the boundary. Each area keeps its schemas and channels in its own
// file under contract/, and which window kind reaches which areas is in contract/windows.ts. Main
// and the renderer import it all from here; a preload imports its window kind's contract alone,
// so it bundles no other channel.

export * from './contract/envelope.ts';
export * from './contract/history.ts';
export * from './contract/navigation.ts';
export * from './contract/overlay.ts';
export * from './contract/overlay-window.ts';
export * from './contract/presets.ts';
export * from './contract/runs.ts';
export * from './contract/settings.ts';
export * from './contract/task-window.ts';
export * from './contract/windows.ts';
export {
  APPROVAL_MODE_LABELS,
  ApprovalModeSchema,
  GoalSchema,
  PointSchema,
  RectSchema,
  RiskSchema,
  UsageSchema,
  defineContract,
  type ApprovalMode,
  type Contract,
  type InputOf,
  type InvokeChannelOf,
  type InvokeSchema,
  type OutputOf,
  type ParsedInputOf,
  type PushChannelOf,
  type PushPayloadOf,
  type RiskView,
} from './contract/shared.ts';

/** Every channel main answers, whichever window asks: the union of the areas. */
export const deskpilotContract = defineContract({
  invoke: { ...runsContract.invoke, ...overlayContract.invoke, ...settingsContract.invoke, ...historyContract.invoke, ...presetsContract.invoke },
  /** Main to windows. Each subscription returns its unsubscribe function. */
  push: { ...runsContract.push, ...overlayContract.push, ...settingsContract.push, ...navigationContract.push, ...presetsContract.push },
});
export type DeskpilotContract = typeof deskpilotContract;

export const invokeChannels = deskpilotContract.invoke;
export const pushChannels = deskpilotContract.push;

export type InvokeChannel = keyof typeof invokeChannels;
export type PushChannel = keyof typeof pushChannels;
export type ChannelInput<C extends InvokeChannel> = InputOf<DeskpilotContract, C>;
export type ChannelParsedInput<C extends InvokeChannel> = ParsedInputOf<DeskpilotContract, C>;
export type ChannelOutput<C extends InvokeChannel> = OutputOf<DeskpilotContract, C>;
export type PushPayload<P extends PushChannel> = PushPayloadOf<DeskpilotContract, P>;

export const INVOKE_CHANNELS = Object.keys(invokeChannels) as InvokeChannel[];
export const PUSH_CHANNELS = Object.keys(pushChannels) as PushChannel[];
