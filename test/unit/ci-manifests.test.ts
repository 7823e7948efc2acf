import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { shardFromEnvironment, shardOf } from '../../agent/suite/shard.ts';

// docs/ci's GitHub Actions workflow and Kubernetes Indexed Job, read as YAML and checked for the
// structure that makes them work: N shards of the image, each told its shard through the variables
// `--shard auto` reads, which together run every case exactly once, and a merge that joins the
// shards' folders with merge-reports.

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, 'docs/ci', file), 'utf8');

/** Every case of a suite of `count` once, given what each shard's environment says. */
function coverage(environments: readonly Record<string, string>[], count: number): number[] {
  const cases = Array.from({ length: count }, (_, index) => index);
  return environments.flatMap((env) => shardOf(cases, shardFromEnvironment(env))).sort((a, b) => a - b);
}

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; if?: string; name?: string };
type Workflow = { on: unknown; jobs: Record<string, { 'runs-on': string; needs?: string | string[]; if?: string; strategy?: { 'fail-fast'?: boolean; matrix: Record<string, unknown[]> }; env?: Record<string, string>; steps: Step[] }> };

describe('docs/ci/github-actions-sharded.yml', () => {
  const workflow = parse(read('github-actions-sharded.yml')) as Workflow;
  const shard = workflow.jobs.shard!;
  const merge = workflow.jobs.merge!;

  it('runs the suite in a matrix of shards of the image, each told its shard through env for --shard auto', () => {
    const values = shard.strategy!.matrix.shard as number[];
    expect(values.length).toBeGreaterThan(1);
    expect(values).toEqual(values.map((_, index) => index + 1));
    expect(shard.strategy!['fail-fast']).toBe(false);
    expect(shard.env).toMatchObject({ DESKPILOT_SHARD_INDEX: '${{ matrix.shard }}', DESKPILOT_SHARD_TOTAL: '${{ strategy.job-total }}' });
    const build = shard.steps.find((step) => step.run?.includes('docker build'))!;
    const dockerfile = /-f (\S+)/.exec(build.run!)![1]!;
    expect(fs.existsSync(path.join(root, dockerfile))).toBe(true);
    const runStep = shard.steps.find((step) => step.run?.includes('docker run'))!.run!;
    expect(runStep).toContain('--shard auto');
    for (const name of ['DESKPILOT_SHARD_INDEX', 'DESKPILOT_SHARD_TOTAL']) expect(runStep).toContain(`-e ${name}`);
    // Every case once over the matrix, as GitHub fills in the values.
    const environments = values.map((value) => ({ DESKPILOT_SHARD_INDEX: String(value), DESKPILOT_SHARD_TOTAL: String(values.length) }));
    for (const count of [0, 1, values.length - 1, values.length, 17]) expect(coverage(environments, count)).toEqual(Array.from({ length: count }, (_, index) => index));
  });

  it("uploads each shard's folder even when cases fail, and a merge job joins them with merge-reports", () => {
    const runStep = shard.steps.find((step) => step.run?.includes('docker run'))!.run!;
    const output = /--output (\S+)/.exec(runStep)![1]!;
    const upload = shard.steps.find((step) => step.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.if).toBe('always()');
    expect(upload.with!.path).toBe(`${output}/`);
    const artifact = String(upload.with!.name);
    expect(artifact).toContain('${{ matrix.shard }}');

    expect(merge.needs).toBe('shard');
    expect(merge.if).toBe('always()');
    const download = merge.steps.find((step) => step.uses?.startsWith('actions/download-artifact'))!;
    expect(artifact.replace('${{ matrix.shard }}', '*')).toBe(download.with!.pattern);
    const mergeRun = merge.steps.find((step) => step.run?.includes('merge-reports'))!.run!;
    const [, dirs, mergedOutput] = /merge-reports (\S+) --output (\S+)/.exec(mergeRun)!;
    expect(dirs).toBe(`${download.with!.path}/${download.with!.pattern}`);
    const published = merge.steps.filter((step) => step.uses?.startsWith('actions/upload-artifact')).map((step) => String(step.with!.path).replace(/\/$/, ''));
    // The merged index links into the shard folders: they are published with it.
    expect(published.some((dir) => mergedOutput!.startsWith(`${dir}/`))).toBe(true);
  });
});

type Container = { name: string; image: string; command?: string[]; args?: string[]; env?: { name: string; value?: string }[]; volumeMounts?: { name: string; mountPath: string }[] };
type Job = { apiVersion: string; kind: string; metadata: { name: string }; spec: { completionMode?: string; completions?: number; parallelism?: number; backoffLimitPerIndex?: number; template: { spec: { restartPolicy: string; containers: Container[]; volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[] } } } };

describe('docs/ci/kubernetes-indexed-job.yaml', () => {
  const documents = parseAllDocuments(read('kubernetes-indexed-job.yaml'));
  const jobs = documents.map((document) => {
    expect(document.errors).toEqual([]);
    return document.toJS() as Job;
  });
  const suite = jobs.find((job) => job.spec.completionMode === 'Indexed')!;
  const merge = jobs.find((job) => job !== suite)!;
  const env = (container: Container) => Object.fromEntries((container.env ?? []).map((entry) => [entry.name, entry.value]));

  it('is an Indexed Job of N pods of the image, each a shard by JOB_COMPLETION_INDEX and --shard auto', () => {
    expect(jobs.map((job) => [job.apiVersion, job.kind])).toEqual([
      ['batch/v1', 'Job'],
      ['batch/v1', 'Job'],
    ]);
    expect(suite.spec.completions).toBeGreaterThan(1);
    expect(suite.spec.parallelism).toBe(suite.spec.completions);
    expect(suite.spec.backoffLimitPerIndex).toBe(0);
    expect(suite.spec.template.spec.restartPolicy).toBe('Never');
    const [container] = suite.spec.template.spec.containers;
    expect(container!.args!.join(' ')).toContain('--shard auto');
    expect(Number(env(container!).DESKPILOT_SHARD_TOTAL)).toBe(suite.spec.completions);
    // Kubernetes gives each pod JOB_COMPLETION_INDEX 0..completions-1.
    const environments = Array.from({ length: suite.spec.completions! }, (_, index) => ({ JOB_COMPLETION_INDEX: String(index), DESKPILOT_SHARD_TOTAL: env(container!).DESKPILOT_SHARD_TOTAL! }));
    for (const count of [0, 3, 10, 23]) expect(coverage(environments, count)).toEqual(Array.from({ length: count }, (_, index) => index));
    // Each shard writes its own folder on the shared volume.
    const output = container!.args![container!.args!.indexOf('--output') + 1]!;
    expect(output).toContain('$(JOB_COMPLETION_INDEX)');
    expect(container!.volumeMounts!.some((mount) => output.startsWith(`${mount.mountPath}/`))).toBe(true);
  });

  it('merges the shard folders from the same volume once all of them have results', () => {
    const [container] = merge.spec.template.spec.containers;
    const script = [...(container!.command ?? []), ...(container!.args ?? [])].join(' ');
    expect(script).toMatch(/merge-reports \/results\/shard-\* --output \/results\/merged/);
    expect(script).toContain('results.json');
    expect(env(container!).DESKPILOT_SHARD_TOTAL).toBe(String(suite.spec.completions));
    const claim = (job: Job) => job.spec.template.spec.volumes.map((volume) => volume.persistentVolumeClaim?.claimName);
    expect(claim(merge)).toEqual(claim(suite));
    expect(container!.image).toBe(suite.spec.template.spec.containers[0]!.image);
  });
});
