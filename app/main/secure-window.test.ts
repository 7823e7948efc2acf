import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_META, appResponseHeaders, isAllowedNavigation, resolveAppFile, secureWebPreferences } from './secure-window.ts';

describe('secure windows', () => {
  it('isolate pages from Node and from each other', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('run only our own scripts and styles, and talk to no server', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(appResponseHeaders('index.html')).toMatchObject({ 'content-security-policy': CONTENT_SECURITY_POLICY, 'content-type': 'text/html; charset=utf-8' });
  });

  it.each(['index.html', 'overlay.html'])('carry the same policy in %s', async (page) => {
    const html = await readFile(path.join(import.meta.dirname, '../../renderer', page), 'utf8');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY_META}" />`);
  });

  it('navigate nowhere but our own pages', () => {
    expect(isAllowedNavigation('deskpilot://app/index.html#settings')).toBe(true);
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'deskpilot://other/index.html', 'javascript:alert(1)', 'nonsense']) {
      expect(isAllowedNavigation(url)).toBe(false);
    }
  });

  it('serve files from the renderer folder and nothing outside it', () => {
    const root = '/opt/deskpilot/renderer';
    expect(resolveAppFile('deskpilot://app/', root)).toBe('/opt/deskpilot/renderer/index.html');
    expect(resolveAppFile('deskpilot://app/overlay.html?display=1', root)).toBe('/opt/deskpilot/renderer/overlay.html');
    expect(resolveAppFile('deskpilot://app/assets/index-1a2b.js', root)).toBe('/opt/deskpilot/renderer/assets/index-1a2b.js');
    // The URL parser resolves dot segments, plain or escaped, inside the root.
    expect(resolveAppFile('deskpilot://app/../../settings.json', root)).toBe('/opt/deskpilot/renderer/settings.json');
    expect(resolveAppFile('deskpilot://app/%2e%2e/%2e%2e/etc/passwd', root)).toBe('/opt/deskpilot/renderer/etc/passwd');
    // Escaped slashes survive the parser; decoded, they would climb out, so they are refused.
    for (const url of ['deskpilot://app/..%2f..%2fetc/passwd', 'deskpilot://app/a%00.html', 'deskpilot://evil/index.html', 'https://app/index.html']) {
      expect(resolveAppFile(url, root), url).toBeUndefined();
    }
  });
});
