import { z } from 'zod';
import { DeskpilotError } from '../errors.ts';

// Whether a run is filmed, and whether its video is kept, as Playwright decides for its tests:
// `on` keeps every video, `off` records none, `retain-on-failure` records every run and deletes
// the video of a run that passed. `deskpilot test` defaults to retain-on-failure (a failed case's
// video is what a QA person opens first), `deskpilot run` to off. The flag wins over the preset's
// `video`, which wins over the config file's. A video shows everything on screen, typed secrets
// too, which the trace's redactor cannot mask; so a preset with secret variables is not filmed
// unless someone asked for it for that run (the flag, or the preset's own field), not merely by
// the default or the config file.

export const VIDEO_MODES = ['on', 'off', 'retain-on-failure'] as const;
export type VideoMode = (typeof VIDEO_MODES)[number];
export const VideoModeSchema = z.enum(VIDEO_MODES);

export type VideoModeSource = 'flag' | 'preset' | 'config' | 'default';

export type VideoChoice = {
  readonly mode: VideoMode;
  readonly source: VideoModeSource;
  /** Why the mode is not what was configured, for one line of output. */
  readonly note?: string;
};

export class VideoModeError extends DeskpilotError {
  constructor(message: string) {
    super('INVALID_VIDEO_MODE', message);
  }
}

/** `--video` as typed. */
export function parseVideoMode(text: string): VideoMode {
  const value = text.trim();
  if ((VIDEO_MODES as readonly string[]).includes(value)) return value as VideoMode;
  throw new VideoModeError(`--video ${JSON.stringify(text)} is not one of ${VIDEO_MODES.join(', ')}.`);
}

export function defaultVideoMode(command: 'run' | 'test'): VideoMode {
  return command === 'test' ? 'retain-on-failure' : 'off';
}

export type ChooseVideoModeInput = {
  readonly command: 'run' | 'test';
  readonly flag?: VideoMode;
  readonly preset?: VideoMode;
  readonly config?: VideoMode;
  /** The names of the preset's secret variables (none for a plain goal). */
  readonly secretVariables?: readonly string[];
  /** For the note: which preset. */
  readonly presetName?: string;
};

export function chooseVideoMode(input: ChooseVideoModeInput): VideoChoice {
  const [mode, source]: [VideoMode, VideoModeSource] =
    input.flag !== undefined ? [input.flag, 'flag'] : input.preset !== undefined ? [input.preset, 'preset'] : input.config !== undefined ? [input.config, 'config'] : [defaultVideoMode(input.command), 'default'];
  const secrets = input.secretVariables ?? [];
  if (mode !== 'off' && secrets.length > 0 && (source === 'config' || source === 'default')) {
    const names = secrets.join(', ');
    return {
      mode: 'off',
      source,
      note: `no video of ${input.presetName ?? 'this preset'}: it has secret variables (${names}), and a video shows what is typed on screen; to film it anyway, give --video ${mode} or set video: ${mode} in the preset.`,
    };
  }
  return { mode, source };
}

/** Whether a recorded video stays once the run is over; `passed` is undefined when the run broke off with an error (kept, like a failure). */
export function keepVideo(mode: VideoMode, passed: boolean | undefined): boolean {
  if (mode === 'off') return false;
  if (mode === 'on') return true;
  return passed !== true;
}
