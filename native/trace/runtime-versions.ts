import fs from 'node:fs';

// What a trace records of the machine it ran on.

let cachedVersion: string | undefined;

/** Deskpilot's own version (from package.json), Node's, and the platform. */
export function runtimeVersions(): { deskpilot: string; node: string; platform: string } {
  if (cachedVersion === undefined) {
    try {
      // From the sources (native/trace/) or the build (dist/native/trace/).
      const file = [new URL('../../package.json', import.meta.url), new URL('../../../package.json', import.meta.url)].find((url) => fs.existsSync(url));
      const json = (file ? JSON.parse(fs.readFileSync(file, 'utf8')) : {}) as { version?: unknown };
      cachedVersion = typeof json.version === 'string' ? json.version : 'unknown';
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return { deskpilot: cachedVersion, node: process.versions.node, platform: `${process.platform}-${process.arch}` };
}
