import { overlayWindowContract } from './overlay-window.ts';
import { taskWindowContract } from './task-window.ts';

// Which window kind reaches which areas. Each kind's preload builds its API from its own contract,
// so a page cannot even name a channel outside it: the transparent overlay over every display, the
// window that sits over whatever the screen shows, reaches the step it draws and nothing else (no
// settings, no runs, no presets, no history).

export const windowContracts = { task: taskWindowContract, overlay: overlayWindowContract } as const;
export type WindowContracts = typeof windowContracts;
export type WindowKind = keyof WindowContracts;
export const WINDOW_KINDS = Object.keys(windowContracts) as WindowKind[];
