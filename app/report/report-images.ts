import sharp from 'sharp';
import { readResource } from '../../native/trace/read-trace.ts';
import type { RunRecord } from '../../agent/trace/run-record.ts';
import type { ResourceRef } from '../../agent/trace/trace-schema.ts';
import { changedRegions, comparisonSize, greyOfPixels, regionsInFrame, type ChangeRegion, type GreyImage } from './screen-changes.ts';
import { afterScreens } from './step-screens.ts';

export type ReportImage = { readonly dataUrl: string; readonly width: number; readonly height: number };

export type ReportImageOptions = {
  /** Widest an image is kept, in pixels (default 960: sharp on a laptop screen, small in the file). */
  readonly maxWidth?: number;
  /** JPEG quality (default 72). */
  readonly quality?: number;
};

export type ReportAssets = {
  /** Images by the SHA-1 of the recorded resource, already sized for viewing. */
  readonly images: ReadonlyMap<string, ReportImage>;
  /** Per acted step, where its settled screen differs from the one before it (in the after picture's frame). */
  readonly changes: ReadonlyMap<number, readonly ChangeRegion[]>;
};

/**
 * Each screenshot of the run (steps, closer looks, the final screen), once per distinct image,
 * downscaled and re-encoded as JPEG data URLs; and what changed over each acted step. Overlays are
 * drawn in the recorded image's own frame, so the size chosen here does not move them.
 */
export async function prepareReportAssets(run: RunRecord, options: ReportImageOptions = {}): Promise<ReportAssets> {
  const maxWidth = options.maxWidth ?? 960;
  const quality = options.quality ?? 72;
  const images = new Map<string, ReportImage>();
  const refs: (ResourceRef | undefined)[] = [
    ...run.steps.map((step) => step.observed?.image),
    ...run.steps.map((step) => step.planned?.refinement?.image),
    run.finalScreen?.image,
    ...run.expectations.map((expectation) => expectation.image),
    ...(run.queries ?? []).map((query) => query.image),
  ];
  // Each picture is decoded and sized once: the JPEG for the page and the grey copy that changes
  // are found on come from the same pixels.
  const greys = new Map<string, GreyImage>();
  for (const ref of refs) {
    if (!ref || images.has(ref.sha1)) continue;
    const bytes = readResource(run.dir, ref);
    if (!bytes) continue;
    try {
      const { data, info } = await sharp(bytes).resize({ width: maxWidth, withoutEnlargement: true }).flatten({ background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
      const jpeg = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality, mozjpeg: false }).toBuffer();
      images.set(ref.sha1, { dataUrl: `data:image/jpeg;base64,${jpeg.toString('base64')}`, width: info.width, height: info.height });
      const size = comparisonSize(info);
      greys.set(ref.sha1, greyOfPixels(data, info, size.width, size.height));
    } catch {
      /* an unreadable image is shown as missing; the rest of the report stands */
    }
  }
  const changes = new Map<number, ChangeRegion[]>();
  for (const [number, after] of afterScreens(run)) {
    const before = run.steps.find((step) => step.step === number)?.observed;
    const beforeGrey = before ? greys.get(before.image.sha1) : undefined;
    const afterGrey = greys.get(after.image.sha1);
    if (!before || !beforeGrey || !afterGrey) continue;
    changes.set(number, before.image.sha1 === after.image.sha1 ? [] : regionsInFrame(changedRegions(beforeGrey, afterGrey), afterGrey, after.imageSize));
  }
  return { images, changes };
}

/** The images alone (for callers that need no change outlines). */
export async function prepareReportImages(run: RunRecord, options: ReportImageOptions = {}): Promise<Map<string, ReportImage>> {
  return new Map((await prepareReportAssets(run, options)).images);
}
