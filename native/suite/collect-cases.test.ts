import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseId, collectCases, selectCases } from './collect-cases.ts';
import { compileGrep, grepText } from '../../agent/suite/grep.ts';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskpilot-cases-'));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  write('suite/b-login.yaml', 'name: login\ngoal: Log in\ntags: [smoke, auth]\n');
  write('suite/a-search.yml', 'goal: Search\ntags: [search]\n');
  write('suite/nested/c-logout.yaml', 'name: logout\ngoal: Log out\ntags: [auth]\n');
  write('suite/broken.yaml', 'goal: x\nmaxStep: 3\n');
  write('suite/notes.txt', 'not a preset');
  write('suite/.hidden/d.yaml', 'goal: hidden\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('collectCases', () => {
  it('finds every preset file under a folder, in code-unit order of their ids, broken ones as cases that cannot run', () => {
    const cases = collectCases([path.join(dir, 'suite')], dir);
    expect(cases.map((suiteCase) => [suiteCase.id, suiteCase.name, suiteCase.tags])).toEqual([
      ['suite/a-search.yml', 'a-search', ['search']],
      ['suite/b-login.yaml', 'login', ['smoke', 'auth']],
      ['suite/broken.yaml', 'broken', []],
      ['suite/nested/c-logout.yaml', 'logout', ['auth']],
    ]);
    expect(cases[2]!.problem).toBe("suite/broken.yaml:2:1: unknown key 'maxStep'; did you mean 'maxSteps'?\n  2 | maxStep: 3\n    | ^^^^^^^");
    expect(cases[1]!.preset?.goal).toBe('Log in');
  });

  it('takes files as given, once each, and says when a path does not exist', () => {
    const login = path.join(dir, 'suite/b-login.yaml');
    expect(collectCases([login, path.join(dir, 'suite')], dir)).toHaveLength(4);
    expect(() => collectCases([path.join(dir, 'nope')], dir)).toThrow('There is no file or folder');
  });

  it('names cases by their path from the working folder', () => {
    expect(caseId(path.join(dir, 'suite', 'x.yaml'), dir)).toBe('suite/x.yaml');
    expect(caseId('/elsewhere/x.yaml', dir)).toBe('/elsewhere/x.yaml');
  });
});

describe('selectCases', () => {
  const cases = () => collectCases([path.join(dir, 'suite')], dir);
  it('greps names, tags (as @tag) and files, case-insensitively', () => {
    expect(grepText(cases()[1]!)).toBe('login @smoke @auth suite/b-login.yaml');
    expect(selectCases(cases(), { grep: compileGrep('@auth') }).cases.map((suiteCase) => suiteCase.name)).toEqual(['login', 'logout']);
    expect(selectCases(cases(), { grep: compileGrep('LOG(in|out)') }).cases.map((suiteCase) => suiteCase.name)).toEqual(['login', 'logout']);
    expect(selectCases(cases(), { grep: compileGrep('nested/') }).cases.map((suiteCase) => suiteCase.name)).toEqual(['logout']);
    expect(selectCases(cases(), { grep: compileGrep('@auth'), grepInvert: compileGrep('logout') }).cases.map((suiteCase) => suiteCase.name)).toEqual(['login']);
    expect(() => compileGrep('(')).toThrow('--grep "(" is not a regular expression');
  });

  it('shards after grepping, and says how many were found and matched', () => {
    const one = selectCases(cases(), { shard: { index: 1, total: 2 } });
    const two = selectCases(cases(), { shard: { index: 2, total: 2 } });
    expect([...one.cases, ...two.cases].map((suiteCase) => suiteCase.id)).toEqual(cases().map((suiteCase) => suiteCase.id));
    expect(one).toMatchObject({ found: 4, matched: 4 });
    expect(selectCases(cases(), { grep: compileGrep('@auth'), shard: { index: 2, total: 2 } })).toMatchObject({ found: 4, matched: 2, cases: [{ name: 'logout' }] });
  });
});
