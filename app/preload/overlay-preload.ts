import { overlayWindowContract } from '../ipc/contract/overlay-window.ts';
import { exposeWindowApi } from './expose-window-api.ts';

// The overlay windows' preload: the step shown on this display and the decision on it, nothing
// else (renderer/bridge.ts `overlayApi()`).
exposeWindowApi(overlayWindowContract);
