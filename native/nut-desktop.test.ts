import { afterEach, describe, expect, it, vi } from 'vitest';
import { DisplayUnavailableError } from './display-check.ts';
import { openDesktop } from './nut-desktop.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe.runIf(process.platform === 'linux')('openDesktop without a display', () => {
  it('fails with DisplayUnavailableError instead of loading nut-js', async () => {
    vi.stubEnv('DISPLAY', '');
    await expect(openDesktop()).rejects.toBeInstanceOf(DisplayUnavailableError);
  });

  it('fails the same way when DISPLAY names a display nobody serves', async () => {
    vi.stubEnv('DISPLAY', ':4711');
    await expect(openDesktop()).rejects.toMatchObject({ code: 'DISPLAY_UNAVAILABLE' });
  });
});
