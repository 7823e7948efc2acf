import { describe, expect, it } from 'vitest';
import { DeskpilotError, structuredError } from './errors.ts';
import { explainEndpointError } from './model/endpoint-errors.ts';
import { providerSettings } from './model/provider-settings.ts';
import { SETTING_NAMES, sayFor, type SettingField } from './setting-fields.ts';

describe('an error that names a setting', () => {
  const notFound = explainEndpointError(Object.assign(new Error('Not Found'), { statusCode: 404 }), { model: 'qwen3-vl', baseURL: 'http://127.0.0.1:8000' });

  it('names the flag for the command line', () => {
    expect(structuredError(notFound, 'cli')).toEqual({
      code: 'ENDPOINT_NOT_FOUND',
      field: 'baseURL',
      flag: '--base-url',
      message: "The endpoint at http://127.0.0.1:8000 answered 404: the base URL probably lacks '/v1'; try --base-url http://127.0.0.1:8000/v1.",
    });
  });

  it('names the field by its label for the settings screen, and no flag', () => {
    expect(structuredError(notFound, 'settings')).toEqual({
      code: 'ENDPOINT_NOT_FOUND',
      field: 'baseURL',
      setting: 'Base URL',
      message: "The endpoint at http://127.0.0.1:8000 answered 404: the base URL probably lacks '/v1'; try http://127.0.0.1:8000/v1 in the Base URL field.",
    });
  });

  it('words a missing key for each surface from the same error', () => {
    let caught: unknown;
    try {
      providerSettings({ provider: 'gateway' });
    } catch (error) {
      caught = error;
    }
    expect(structuredError(caught, 'cli').message).toBe('Vercel AI Gateway needs an API key: set AI_GATEWAY_API_KEY or give one in --api-key.');
    expect(structuredError(caught, 'settings')).toMatchObject({ field: 'apiKey', setting: 'API key', message: 'Vercel AI Gateway needs an API key: set AI_GATEWAY_API_KEY or give one in the API key field.' });
  });

  it('never shows a flag on the settings screen, for any field', () => {
    const say = sayFor('settings');
    for (const field of Object.keys(SETTING_NAMES) as SettingField[]) {
      expect(say(field)).not.toMatch(/--/);
      expect(say(field, 'x')).not.toMatch(/--/);
    }
  });

  it("names a setting only the config file has by its key there, and gives it no flag", () => {
    expect(sayFor('cli')('maxTokens')).toBe('maxTokens in the config file');
    expect(sayFor('cli')('maxMinutes', '30')).toBe('maxMinutes: 30 in the config file');
    expect(sayFor('settings')('maxCostUsd')).toBe('the cost budget (maxCostUsd in the config file)');
    const error = new DeskpilotError('X', (say) => `raise ${say('maxTokens')}`, { field: 'maxTokens' });
    expect(structuredError(error, 'cli')).toEqual({ code: 'X', field: 'maxTokens', message: 'raise maxTokens in the config file' });
  });

  it('keeps a plain error as it is', () => {
    expect(structuredError(new Error('boom'), 'settings')).toEqual({ code: 'FAILED', message: 'boom' });
  });
});
