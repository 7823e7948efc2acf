import { historyContract } from './history.ts';
import { navigationContract } from './navigation.ts';
import { presetsContract } from './presets.ts';
import { runsContract } from './runs.ts';
import { settingsContract } from './settings.ts';
import { defineContract } from './shared.ts';

/** What the task window reaches: a goal and its run, the history, the presets, the settings. */
export const taskWindowContract = defineContract({
  invoke: { ...runsContract.invoke, ...settingsContract.invoke, ...historyContract.invoke, ...presetsContract.invoke },
  push: { ...runsContract.push, ...settingsContract.push, ...navigationContract.push, ...presetsContract.push },
});
export type TaskWindowContract = typeof taskWindowContract;
