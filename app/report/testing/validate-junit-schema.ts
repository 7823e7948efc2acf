import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Validates JUnit XML with xmllint against junit-10.xsd (the Jenkins xUnit plugin's schema, which
// CI servers use), as a CI server would: the real validator, not our reading of the schema.

export const JUNIT_XSD = fileURLToPath(new URL('../../../test/support/junit/junit-10.xsd', import.meta.url));

/** xmllint's complaints (empty when the XML is valid). Throws when xmllint is not installed. */
export function xmllintProblems(xml: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-xmllint-'));
  try {
    const file = path.join(dir, 'junit.xml');
    fs.writeFileSync(file, xml);
    const result = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { encoding: 'utf8' });
    if (result.error) throw new Error(`xmllint could not be run (${result.error.message}); install the Debian package libxml2-utils.`);
    if (result.status === 0) return [];
    return result.stderr.split('\n').filter((line) => line.trim() !== '' && !line.endsWith(' validates') && !line.endsWith('fails to validate'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
