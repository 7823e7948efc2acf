import path from 'node:path';
import { APP_ORIGIN } from './ipc-handlers.ts';

// The security settings of every window, as data, so a test can hold them (Electron's security
// checklist: context isolation, sandbox, no Node in pages, a strict CSP, no new windows, no
// navigation away, our own protocol instead of file://).

/** Web preferences of every window we open. */
export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  } as const;
}

const DIRECTIVES = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  // Screenshots reach the task window as data: URLs.
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'none'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
} as const;

const policy = (names: readonly (keyof typeof DIRECTIVES)[]) => names.map((name) => `${name} ${DIRECTIVES[name].join(' ')}`).join('; ');

/** The Content-Security-Policy header our protocol sends with every page. */
export const CONTENT_SECURITY_POLICY = policy(Object.keys(DIRECTIVES) as (keyof typeof DIRECTIVES)[]);

/** The same policy in the pages' <meta> (which cannot carry frame-ancestors), for defence in depth. */
export const CONTENT_SECURITY_POLICY_META = policy((Object.keys(DIRECTIVES) as (keyof typeof DIRECTIVES)[]).filter((name) => name !== 'frame-ancestors'));

/** Our windows navigate nowhere: only within our own pages (a reload, say). */
export function isAllowedNavigation(url: string): boolean {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

/** A request to `deskpilot://app/...` as a file under `root`, or undefined if it would leave it. */
export function resolveAppFile(requestUrl: string, root: string): string | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0')) return undefined;
  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = path.resolve(root, relative);
  const inside = path.relative(path.resolve(root), file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return undefined;
  return file;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The headers every page and asset of ours is served with. */
export function appResponseHeaders(file: string): Record<string, string> {
  return {
    'content-type': contentTypeOf(file),
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
  };
}
