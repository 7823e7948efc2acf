import { taskWindowContract } from '../ipc/contract/task-window.ts';
import { exposeWindowApi } from './expose-window-api.ts';

// The task window's preload: runs, history, presets, settings (renderer/bridge.ts `api()`).
exposeWindowApi(taskWindowContract);
