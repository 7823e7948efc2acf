import type { RunPolicyInput } from '../../agent/policy.ts';
import type { VideoMode } from '../../agent/trace/choose-video-mode.ts';
import type { ModelFlags } from '../config/model-config.ts';
import type { SessionOptions } from '../session/session-types.ts';

// The flags every command that runs something shares (run, run --preset, test), and the one way
// they become a session's policy overrides, so that a flag added to one reaches all three.

export type RunFlags = ModelFlags & {
  maxSteps?: number;
  imageTokens?: number;
  /** `auto` or a display's number from 1. */
  display?: 'auto' | number;
  refine?: 'auto' | 'always' | 'never';
  refineCrop?: number;
  screenshots?: number;
  /** Longest a model request may take, in seconds. */
  timeout?: number;
  /** --video: film the run (on, off, retain-on-failure); wins over the preset's and the config file's. */
  video?: VideoMode;
};

/** The policy the flags set, over the config file and a preset's own (undefined: not given). */
export function policyOverridesOf(flags: RunFlags): RunPolicyInput {
  return {
    maxSteps: flags.maxSteps,
    imageTokenBudget: flags.imageTokens,
    screenshotsInContext: flags.screenshots,
    display: flags.display,
    refine: flags.refine,
    refineCropSize: flags.refineCrop,
  };
}

/** The model flags alone, as the session resolves them (the other run flags are not model settings). */
export function modelFlagsOf(flags: RunFlags): ModelFlags {
  const { provider, baseUrl, model, apiKey, providers, maxOutputTokens, nativeTools } = flags;
  return Object.fromEntries(Object.entries({ provider, baseUrl, model, apiKey, providers, maxOutputTokens, nativeTools }).filter(([, value]) => value !== undefined)) as ModelFlags;
}

/**
 * The part of a command line session that the run flags decide, the same for run, run --preset and
 * test: the model, its timeout, the policy overrides, the video, and keys let go if the process dies.
 */
export function sessionOptionsOf(flags: RunFlags & { failSafe?: boolean }, io: { env: NodeJS.ProcessEnv; signal: AbortSignal }, command: { video: 'run' | 'test'; failSafe: 'run' | 'session' }) {
  return {
    env: io.env,
    modelFlags: modelFlagsOf(flags),
    ...(flags.timeout !== undefined ? { modelTimeoutSeconds: flags.timeout } : {}),
    policy: { overrides: policyOverridesOf(flags) },
    failSafe: flags.failSafe === false ? false : command.failSafe,
    releaseOnExit: true,
    video: { defaultFor: command.video, ...(flags.video ? { flag: flags.video } : {}) },
    signal: io.signal,
  } satisfies Partial<SessionOptions>;
}
