import fs from 'node:fs';
import path from 'node:path';
import { readTrace } from '../../native/trace/read-trace.ts';
import { toRunRecord, type RunRecord } from '../../agent/trace/run-record.ts';
import { renderReport } from './render-report.ts';
import { prepareReportImages, type ReportImageOptions } from './report-images.ts';

export const REPORT_FILE = 'report.html';

export type WrittenReport = { readonly file: string; readonly bytes: number; readonly ms: number; readonly run: RunRecord };

/** Reads a run folder and writes its HTML report (by default `report.html` inside it). */
export async function writeReport(traceDir: string, options: ReportImageOptions & { out?: string; now?: Date } = {}): Promise<WrittenReport> {
  const started = performance.now();
  const run = toRunRecord(readTrace(traceDir));
  const images = await prepareReportImages(run, options);
  const html = renderReport(run, { images, generatedAt: options.now ?? new Date() });
  const file = path.resolve(options.out ?? path.join(run.dir, REPORT_FILE));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, html);
  return { file, bytes: Buffer.byteLength(html), ms: performance.now() - started, run };
}
