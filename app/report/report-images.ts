import sharp from 'sharp';
import { readResource } from '../../native/trace/read-trace.ts';
import type { RunRecord } from '../../agent/trace/run-record.ts';
import type { ReportImage } from './render-report.ts';

export type ReportImageOptions = {
  /** Widest an image is kept, in pixels (default 960: sharp on a laptop screen, small in the file). */
  readonly maxWidth?: number;
  /** JPEG quality (default 72). */
  readonly quality?: number;
};

/**
 * Each step's screenshot, once per distinct image, downscaled and re-encoded as JPEG for viewing, as
 * a data URL. Overlays are drawn in the recorded image's own frame, so the size chosen here does not
 * move them.
 */
export async function prepareReportImages(run: RunRecord, options: ReportImageOptions = {}): Promise<Map<string, ReportImage>> {
  const maxWidth = options.maxWidth ?? 960;
  const quality = options.quality ?? 72;
  const images = new Map<string, ReportImage>();
  const refs = [...run.steps.map((step) => step.observed?.image), ...(run.expectations ?? []).map((expectation) => expectation.image), ...(run.queries ?? []).map((query) => query.image)];
  for (const ref of refs) {
    if (!ref || images.has(ref.sha1)) continue;
    const bytes = readResource(run.dir, ref);
    if (!bytes) continue;
    try {
      const { data, info } = await sharp(bytes)
        .resize({ width: maxWidth, withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality, mozjpeg: false })
        .toBuffer({ resolveWithObject: true });
      images.set(ref.sha1, { dataUrl: `data:image/jpeg;base64,${data.toString('base64')}`, width: info.width, height: info.height });
    } catch {
      /* an unreadable image is shown as missing; the rest of the report stands */
    }
  }
  return images;
}
