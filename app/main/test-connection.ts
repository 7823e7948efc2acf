import { DeskpilotError, messageFor } from '../../agent/errors.ts';
import { explainEndpointError } from '../../agent/model/endpoint-errors.ts';
import { describeModel, type ModelSettings } from '../../agent/model/providers.ts';
import { probeVision, type VisionChallenge } from '../../agent/model/probe-vision.ts';
import type { Model } from '../../agent/ports.ts';
import { randomProbeImage } from '../../native/probe-image.ts';
import type { TestConnectionInput, TestConnectionResult } from '../ipc/contract.ts';
import { modelSettingsFor } from './model-settings.ts';

export type TestConnectionDeps = {
  readonly createModel: (settings: ModelSettings) => Model;
  /** The saved (or environment) key, used when none was typed. */
  readonly savedKey: (provider: TestConnectionInput['provider']) => string | undefined;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** The image and the number it shows; a fresh random one by default. */
  readonly challenge?: () => Promise<VisionChallenge>;
};

/**
 * Sends one small image request the way a run would, through the agent's providers: the image shows
 * a random number, and only an answer with that number is "connected". Reports the precise problem
 * in the words of `agent/model/endpoint-errors.ts` (wrong URL, wrong key, a server that is not
 * there, a model that refuses images) or of `probeVision` (a model that ignores the image).
 */
export async function testConnection(input: TestConnectionInput, deps: TestConnectionDeps): Promise<TestConnectionResult> {
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const timeoutMs = deps.timeoutMs ?? 30_000;
  let settings: ModelSettings | undefined;
  try {
    settings = modelSettingsFor(input, input.apiKey ?? deps.savedKey(input.provider), timeoutMs);
    if (settings.baseURL) await checkReachable(settings, deps.fetch ?? fetch);
    const challenge = await (deps.challenge ?? randomProbeImage)();
    const reply = await probeVision(deps.createModel(settings), challenge, AbortSignal.timeout(timeoutMs + 1000));
    return { ok: true, model: reply.modelId ?? settings.model, ms: Math.max(0, Math.round(now() - started)), reply: reply.reply };
  } catch (error) {
    const explained = explainEndpointError(error, { model: input.model, ...(settings?.baseURL ? { baseURL: settings.baseURL } : {}) });
    const message = messageFor(explained, 'settings');
    // The model port names itself "<model> at <url>"; next to the URL field the model name is enough.
    const plain = settings ? message.replaceAll(`'${describeModel(settings)}'`, `'${settings.model}'`) : message;
    return { ok: false, code: explained instanceof DeskpilotError ? explained.code : 'ENDPOINT_FAILED', message: plain };
  }
}

/**
 * A server that is not there is the most common problem, and the model request would retry it for
 * seconds with back-off before saying so; one quick look answers at once. Anything but a refused
 * or unresolvable connection is left for the real request to diagnose.
 */
async function checkReachable(settings: ModelSettings, fetchImpl: typeof fetch): Promise<void> {
  const url = `${settings.baseURL!.replace(/\/+$/, '')}/models`;
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(5000), headers: settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {} });
    await response.body?.cancel();
  } catch (error) {
    const explained = explainEndpointError(error, { model: settings.model, baseURL: settings.baseURL! });
    if (explained instanceof DeskpilotError && explained.code === 'ENDPOINT_UNREACHABLE') throw explained;
  }
}
