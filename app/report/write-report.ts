import fs from 'node:fs';
import path from 'node:path';
import { readTrace } from '../../native/trace/read-trace.ts';
import { toRunRecord, type RunRecord } from '../../agent/trace/run-record.ts';
import { renderReport } from './render-report.tsx';
import { prepareReportAssets, type ReportImageOptions } from './report-images.ts';
import { REPORT_SCRIPT, REPORT_SCRIPT_FILE } from './report-script.ts';

export const REPORT_FILE = 'report.html';

export type WrittenReport = { readonly file: string; readonly bytes: number; readonly ms: number; readonly run: RunRecord };

/** Reads a run folder and writes its HTML report (by default `report.html` inside it), with `report.js` beside it. */
export async function writeReport(traceDir: string, options: ReportImageOptions & { out?: string; now?: Date } = {}): Promise<WrittenReport> {
  const started = performance.now();
  const run = toRunRecord(readTrace(traceDir));
  const { images, changes } = await prepareReportAssets(run, options);
  const file = path.resolve(options.out ?? path.join(run.dir, REPORT_FILE));
  const dir = path.dirname(file);
  // The video is referred to where it is, relative to the report; only when the file is there.
  const videoFile = run.video ? path.resolve(run.dir, run.video.path) : undefined;
  const videoSrc = videoFile && fs.existsSync(videoFile) ? path.relative(dir, videoFile).split(path.sep).map(encodeURIComponent).join('/') : undefined;
  const html = renderReport(run, { images, changes, scriptSrc: REPORT_SCRIPT_FILE, generatedAt: options.now ?? new Date(), ...(videoSrc ? { videoSrc } : {}) });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, html);
  fs.writeFileSync(path.join(dir, REPORT_SCRIPT_FILE), REPORT_SCRIPT);
  return { file, bytes: Buffer.byteLength(html), ms: performance.now() - started, run };
}
