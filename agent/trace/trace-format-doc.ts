import { z } from 'zod';
import {
  ActionSchema,
  BoxSchema,
  DecisionSchema,
  DisplaySchema,
  PlannedSchema,
  PointSchema,
  RegionSchema,
  ResourceRefSchema,
  SizeSchema,
  TargetSchema,
  TRACE_EVENT_SCHEMAS,
  TRACE_VERSION,
  UsageSchema,
} from './trace-schema.ts';

// docs/trace-format.md is this function's output, so the documentation cannot drift from the
// schema: a unit test compares the two (`UPDATE_TRACE_DOC=1 npx vitest run agent/trace` rewrites it).

type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  description?: string;
  minimum?: number;
  maximum?: number;
  pattern?: string;
};

const NAMED: Record<string, z.ZodType> = {
  Action: ActionSchema,
  Planned: PlannedSchema,
  Display: DisplaySchema,
  Decision: DecisionSchema,
  ResourceRef: ResourceRefSchema,
  Usage: UsageSchema,
  Target: TargetSchema,
  Box: BoxSchema,
  Point: PointSchema,
  Size: SizeSchema,
  Region: RegionSchema,
};

const json = (schema: z.ZodType): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as JsonSchema & { $schema?: string };
  return rest;
};
const shape = (schema: JsonSchema) => JSON.stringify(schema, (key, value: unknown) => (key === 'description' ? undefined : value));
const namedShapes = new Map(Object.entries(NAMED).map(([name, schema]) => [shape(json(schema)), name]));

function typeText(schema: JsonSchema, own?: string): string {
  const name = namedShapes.get(shape(schema));
  if (name && name !== own) return `[${name}](#${name.toLowerCase()})`;
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' \\| ');
  const union = schema.oneOf ?? schema.anyOf;
  if (union) return union.map((option) => typeText(option)).join(' \\| ');
  if (schema.type === 'array') return `${schema.items ? typeText(schema.items) : 'any'}[]`;
  if (schema.type === 'object') return schema.properties ? 'object' : 'object (any keys)';
  if (schema.type === 'integer') return schema.minimum !== undefined && schema.minimum >= 0 ? 'integer ≥ 0' : 'integer';
  if (schema.type === 'string' && schema.pattern) return `string (\`${schema.pattern}\`)`;
  return Array.isArray(schema.type) ? schema.type.join(' \\| ') : (schema.type ?? 'any');
}

function fieldRows(schema: JsonSchema, prefix = '', own?: string): string[] {
  const rows: string[] = [];
  const required = new Set(schema.required ?? []);
  for (const [key, field] of Object.entries(schema.properties ?? {})) {
    const name = `${prefix}${key}`;
    const type = typeText(field, own);
    rows.push(`| \`${name}\` | ${type} | ${required.has(key) ? 'yes' : 'no'} | ${(field.description ?? '').replace(/\|/g, '\\|')} |`);
    const isNamed = type.startsWith('[');
    if (field.type === 'object' && field.properties && !isNamed) rows.push(...fieldRows(field, `${name}.`, own));
  }
  return rows;
}

function table(schema: JsonSchema, own?: string): string {
  return ['| field | type | required | meaning |', '| --- | --- | --- | --- |', ...fieldRows(schema, '', own)].join('\n');
}

export function renderTraceFormatDoc(): string {
  const out: string[] = [];
  out.push(
    '# Trace format',
    '',
    `<!-- Generated from agent/trace/trace-schema.ts by renderTraceFormatDoc(); do not edit by hand. -->`,
    '',
    `Current version: **${TRACE_VERSION}**.`,
    '',
    'A run is a folder (by default `.deskpilot/runs/<timestamp>-<slug>/`):',
    '',
    '- `trace.jsonl`: one JSON event per line, appended as the run goes. Each line is written whole, and the file',
    '  is flushed to disk after every step. A run that was killed leaves every line before the current one intact;',
    '  a last line without its end-of-line character was cut off, and readers ignore it (and say so).',
    '- `resources/<sha1>.png` (or `.jpg`): the screenshots, stored once each under the SHA-1 of their bytes.',
    '- `report.html`: the report, when one was made (`deskpilot report <folder>`; a replay writes one itself).',
    '',
    'Every event has `type`, `time` (milliseconds since 1970) and `step` (0 before the first step). The first',
    'event is `run-started` and carries `version`. A trace written in an older version is upgraded when read',
    '(`agent/trace/upgrade-trace.ts`); one written by a newer Deskpilot is refused with a message saying so.',
    '',
    'Secrets never appear: API keys and the values of `DESKPILOT_SECRET_<NAME>` variables are replaced by',
    '`[secret:NAME]` (`[secret:api-key]` for keys) in every string before anything is written.',
    '',
    'Coordinates: `modelAction` points are on the model\'s 0..1000 grid; `action` points are screen input',
    'coordinates; the screenshot\'s own pixels (the image frame) are `imageSize`. `agent/geometry.ts` converts',
    'between them (`gridToImage`, `screenToImage`).',
    '',
    'A step, in order: `step-observed`, then `model-replied` (and `reply-rejected` plus another `model-replied`',
    'for each re-ask), `step-planned`, `step-decided`, `step-acted`. A replay adds `step-replayed` before the',
    'step is planned. The run ends with `run-ended`. The screen after a step\'s action is the next step\'s',
    '`step-observed` screenshot (the loop captures once per step). When a budget ends the run right after an',
    'acted step, no next step observes it: a `final-screen` event just before `run-ended` carries that screen.',
    '',
    '## Events',
    '',
  );
  for (const [type, schema] of Object.entries(TRACE_EVENT_SCHEMAS)) {
    const js = json(schema);
    out.push(`### \`${type}\``, '', js.description ?? '', '', table(js), '');
  }
  out.push('## Shared shapes', '');
  for (const [name, schema] of Object.entries(NAMED)) {
    const js = json(schema);
    out.push(`### ${name}`, '');
    if (js.description) out.push(js.description, '');
    const union = js.oneOf ?? js.anyOf;
    if (union) {
      for (const option of union) {
        const discriminator = Object.values(option.properties ?? {}).find((field) => field.const !== undefined)?.const;
        out.push(`- \`${JSON.stringify(discriminator)}\`: ${Object.entries(option.properties ?? {})
          .filter(([, field]) => field.const === undefined)
          .map(([key, field]) => `\`${key}\`${(option.required ?? []).includes(key) ? '' : '?'}: ${typeText(field, name)}`)
          .join(', ') || '(no fields)'}`);
      }
      out.push('');
    } else {
      out.push(table(js, name), '');
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
