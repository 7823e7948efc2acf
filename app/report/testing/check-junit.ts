import { XMLParser, XMLValidator } from 'fast-xml-parser';

// Checks a JUnit XML file against the schema CI systems read (Jenkins' junit-10.xsd, which the
// Maven Surefire and Ant files follow): well-formed XML; <testsuites> holding <testsuite>s; each
// suite with name, tests, failures, errors (whole numbers) and its children in order (properties,
// testcase*, system-out, system-err); each testcase with a name and a decimal time, holding at
// most one of failure, error or skipped and then its output; counts that add up. Returns every
// problem found, in words; an empty list means the file is valid.

type Node = { readonly [name: string]: unknown; readonly ':@'?: Record<string, string> };

const SUITE_CHILDREN = ['properties', 'testcase', 'system-out', 'system-err'];
const CASE_CHILDREN = ['skipped', 'error', 'failure', 'rerunFailure', 'rerunError', 'flakyFailure', 'flakyError', 'system-out', 'system-err'];
// junit-10.xsd allows no other attribute on the root (no `skipped`, which many writers add).
const ROOT_ATTRIBUTES = ['name', 'time', 'tests', 'failures', 'errors'];
const WHOLE = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;
// xs:dateTime without a time zone, as junit-10.xsd's ISO8601_DATETIME_PATTERN says.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

export type JUnitCase = { readonly suite: string; readonly classname: string | undefined; readonly name: string; readonly time: number; readonly result: 'passed' | 'failure' | 'error' | 'skipped'; readonly message?: string; readonly text?: string; readonly out?: string };

export function checkJUnit(xml: string): { problems: string[]; cases: JUnitCase[] } {
  const problems: string[] = [];
  const cases: JUnitCase[] = [];
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { problems: [`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`], cases };
  const nodes = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, trimValues: false }).parse(xml) as Node[];
  const elements = (list: unknown) => (Array.isArray(list) ? (list as Node[]).filter((node) => elementName(node) !== undefined) : []);
  const roots = elements(nodes).filter((node) => elementName(node) !== '?xml');
  if (roots.length !== 1 || elementName(roots[0]!) !== 'testsuites') return { problems: [`the root must be one <testsuites>, found ${roots.map(elementName).join(', ') || 'nothing'}`], cases };
  const root = roots[0]!;
  for (const name of Object.keys(root[':@'] ?? {})) if (!ROOT_ATTRIBUTES.includes(name)) problems.push(`<testsuites> may not carry ${name} (allowed: ${ROOT_ATTRIBUTES.join(', ')})`);
  const total = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const suite of elements(root.testsuites)) {
    if (elementName(suite) !== 'testsuite') {
      problems.push(`<testsuites> may hold only <testsuite>, found <${elementName(suite)}>`);
      continue;
    }
    const attributes = suite[':@'] ?? {};
    const suiteName = attributes.name ?? '(unnamed)';
    for (const required of ['name', 'tests', 'failures', 'errors']) if (attributes[required] === undefined) problems.push(`<testsuite ${suiteName}> lacks the attribute ${required}`);
    for (const whole of ['tests', 'failures', 'errors', 'skipped']) if (attributes[whole] !== undefined && !WHOLE.test(attributes[whole])) problems.push(`<testsuite ${suiteName}> ${whole}="${attributes[whole]}" is not a whole number`);
    if (attributes.time !== undefined && !DECIMAL.test(attributes.time)) problems.push(`<testsuite ${suiteName}> time="${attributes.time}" is not a decimal number`);
    if (attributes.timestamp !== undefined && !TIMESTAMP.test(attributes.timestamp)) problems.push(`<testsuite ${suiteName}> timestamp="${attributes.timestamp}" is not an ISO 8601 date-time without a time zone`);
    const children = elements(suite.testsuite);
    checkOrder(children.map(elementName) as string[], SUITE_CHILDREN, `<testsuite ${suiteName}>`, problems, ['testcase']);
    const counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    for (const child of children) {
      if (elementName(child) === 'properties') {
        for (const property of elements(child.properties)) {
          if (elementName(property) !== 'property' || property[':@']?.name === undefined || property[':@']?.value === undefined) problems.push(`<properties> of ${suiteName} may hold only <property name value>`);
        }
      }
      if (elementName(child) !== 'testcase') continue;
      counts.tests += 1;
      const caseAttributes = child[':@'] ?? {};
      const name = caseAttributes.name;
      if (name === undefined) problems.push(`a <testcase> in ${suiteName} lacks its name`);
      if (caseAttributes.time !== undefined && !DECIMAL.test(caseAttributes.time)) problems.push(`<testcase ${name}> time="${caseAttributes.time}" is not a decimal number`);
      const inner = elements(child.testcase);
      const names = inner.map(elementName) as string[];
      checkOrder(names, CASE_CHILDREN, `<testcase ${name}>`, problems, ['rerunFailure', 'rerunError', 'flakyFailure', 'flakyError']);
      const outcomes = names.filter((element) => element === 'failure' || element === 'error' || element === 'skipped');
      if (outcomes.length > 1) problems.push(`<testcase ${name}> holds ${outcomes.join(' and ')}; at most one is allowed`);
      const outcome = inner.find((node) => ['failure', 'error', 'skipped'].includes(elementName(node)!));
      const result = (outcome ? elementName(outcome) : 'passed') as JUnitCase['result'];
      if (result === 'failure') counts.failures += 1;
      if (result === 'error') counts.errors += 1;
      if (result === 'skipped') counts.skipped += 1;
      const out = inner.find((node) => elementName(node) === 'system-out');
      cases.push({
        suite: suiteName,
        classname: caseAttributes.classname,
        name: name ?? '',
        time: Number(caseAttributes.time ?? 0),
        result,
        ...(outcome?.[':@']?.message !== undefined ? { message: outcome[':@'].message } : {}),
        ...(outcome ? { text: textOf(outcome) } : {}),
        ...(out ? { out: textOf(out) } : {}),
      });
    }
    for (const key of ['tests', 'failures', 'errors', 'skipped'] as const) {
      if (attributes[key] !== undefined && Number(attributes[key]) !== counts[key]) problems.push(`<testsuite ${suiteName}> says ${key}="${attributes[key]}" but holds ${counts[key]}`);
      total[key] += counts[key];
    }
  }
  const rootAttributes = root[':@'] ?? {};
  for (const key of ['tests', 'failures', 'errors'] as const) {
    if (rootAttributes[key] !== undefined && Number(rootAttributes[key]) !== total[key]) problems.push(`<testsuites> says ${key}="${rootAttributes[key]}" but its suites hold ${total[key]}`);
  }
  return { problems, cases };
}

function elementName(node: Node): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text');
}

function textOf(node: Node): string {
  const name = elementName(node)!;
  const children = node[name];
  return Array.isArray(children) ? (children as Node[]).map((child) => (typeof child['#text'] === 'string' || typeof child['#text'] === 'number' ? String(child['#text']) : '')).join('') : '';
}

/** Children must come in the order given, each at most once except `repeatable` ones. */
function checkOrder(names: readonly string[], order: readonly string[], where: string, problems: string[], repeatable: readonly string[]) {
  let position = 0;
  const seen = new Set<string>();
  for (const name of names) {
    const index = order.indexOf(name);
    if (index < 0) {
      problems.push(`${where} may not hold <${name}> (allowed: ${order.join(', ')})`);
      continue;
    }
    if (index < position) problems.push(`${where}: <${name}> comes after <${order[position]}>; the order is ${order.join(', ')}`);
    if (seen.has(name) && !repeatable.includes(name)) problems.push(`${where} holds <${name}> twice`);
    seen.add(name);
    position = Math.max(position, index);
  }
}
