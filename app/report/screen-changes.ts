import sharp from 'sharp';

// Where the screen changed between two screenshots, as a few rectangles to outline on the "after"
// picture. Compared on small greyscale copies (cheap, and blind to JPEG-level noise): cells whose
// pixels differ are grouped into connected regions, and each region's bounding box is scaled back
// to the after picture's own frame.

export type ChangeRegion = { readonly x: number; readonly y: number; readonly width: number; readonly height: number };

export type GreyImage = { readonly width: number; readonly height: number; readonly data: Uint8Array };

export type ChangeOptions = {
  /** Side of a cell, in pixels of the grey images. */
  readonly cell?: number;
  /** How far (0..255) a pixel must move to count as changed. */
  readonly threshold?: number;
  /** More regions than this are merged into one box around them all. */
  readonly maxRegions?: number;
};

/** Changed regions of `after` vs `before` (same size), in the grey images' pixels. Pure. */
export function changedRegions(before: GreyImage, after: GreyImage, options: ChangeOptions = {}): ChangeRegion[] {
  if (before.width !== after.width || before.height !== after.height) return [{ x: 0, y: 0, width: after.width, height: after.height }];
  const cell = options.cell ?? 4;
  const threshold = options.threshold ?? 24;
  const columns = Math.ceil(after.width / cell);
  const rows = Math.ceil(after.height / cell);
  const changed = new Uint8Array(columns * rows);
  for (let y = 0; y < after.height; y++) {
    for (let x = 0; x < after.width; x++) {
      const index = y * after.width + x;
      if (Math.abs(before.data[index]! - after.data[index]!) > threshold) changed[Math.floor(y / cell) * columns + Math.floor(x / cell)] = 1;
    }
  }
  // Connected cells (8-neighbours, so a thin diagonal stays one region), by flood fill.
  const seen = new Uint8Array(columns * rows);
  const regions: ChangeRegion[] = [];
  for (let start = 0; start < changed.length; start++) {
    if (!changed[start] || seen[start]) continue;
    let minX = columns;
    let minY = rows;
    let maxX = -1;
    let maxY = -1;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const current = stack.pop()!;
      const cx = current % columns;
      const cy = Math.floor(current / columns);
      minX = Math.min(minX, cx);
      minY = Math.min(minY, cy);
      maxX = Math.max(maxX, cx);
      maxY = Math.max(maxY, cy);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = cx + dx;
          const ny = cy + dy;
          if (nx < 0 || ny < 0 || nx >= columns || ny >= rows) continue;
          const next = ny * columns + nx;
          if (changed[next] && !seen[next]) {
            seen[next] = 1;
            stack.push(next);
          }
        }
      }
    }
    regions.push({ x: minX * cell, y: minY * cell, width: Math.min(after.width, (maxX + 1) * cell) - minX * cell, height: Math.min(after.height, (maxY + 1) * cell) - minY * cell });
  }
  const maxRegions = options.maxRegions ?? 6;
  if (regions.length <= maxRegions) return regions;
  const x = Math.min(...regions.map((region) => region.x));
  const y = Math.min(...regions.map((region) => region.y));
  return [{ x, y, width: Math.max(...regions.map((region) => region.x + region.width)) - x, height: Math.max(...regions.map((region) => region.y + region.height)) - y }];
}

/**
 * A picture as a small greyscale copy, by averaging boxes of the decoded pixels. Done here rather
 * than by sharp's resize: a 5x downscale of a PNG through libvips' Lanczos kernel took about ten
 * times as long as decoding it.
 */
export async function greyOf(image: Uint8Array, width: number, height: number): Promise<GreyImage> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return greyOfPixels(data, info, width, height);
}

/** The same from decoded pixels (`channels` bytes per pixel, grey or RGB first). Pure. */
export function greyOfPixels(data: Uint8Array, info: { width: number; height: number; channels: number }, width: number, height: number): GreyImage {
  const channels = info.channels;
  const sums = new Float64Array(width * height);
  const counts = new Uint32Array(width * height);
  for (let y = 0; y < info.height; y++) {
    const row = Math.min(height - 1, Math.floor((y * height) / info.height)) * width;
    for (let x = 0; x < info.width; x++) {
      const offset = (y * info.width + x) * channels;
      const cell = row + Math.min(width - 1, Math.floor((x * width) / info.width));
      // Rec. 601 luma; a single channel is already grey.
      sums[cell]! += channels >= 3 ? 0.299 * data[offset]! + 0.587 * data[offset + 1]! + 0.114 * data[offset + 2]! : data[offset]!;
      counts[cell]! += 1;
    }
  }
  const grey = new Uint8Array(width * height);
  for (let index = 0; index < grey.length; index++) grey[index] = counts[index] ? Math.round(sums[index]! / counts[index]!) : 0;
  return { width, height, data: grey };
}

/** The size a picture of `size` is compared at: 320 wide at most, its own proportions. */
export function comparisonSize(size: { width: number; height: number }): { width: number; height: number } {
  const width = Math.min(320, size.width);
  return { width, height: Math.max(1, Math.round((size.height / size.width) * width)) };
}

/** Regions found on grey copies, in the frame of the picture as recorded. */
export function regionsInFrame(regions: readonly ChangeRegion[], grey: { width: number; height: number }, size: { width: number; height: number }): ChangeRegion[] {
  const scaleX = size.width / grey.width;
  const scaleY = size.height / grey.height;
  return regions.map((region) => ({ x: region.x * scaleX, y: region.y * scaleY, width: region.width * scaleX, height: region.height * scaleY }));
}

/** Changed regions between two encoded screenshots, in the frame of `afterSize` (the after picture as recorded). */
export async function screenChanges(before: Uint8Array, after: Uint8Array, afterSize: { width: number; height: number }): Promise<ChangeRegion[]> {
  const { width, height } = comparisonSize(afterSize);
  const grey = await greyOf(after, width, height);
  return regionsInFrame(changedRegions(await greyOf(before, width, height), grey, {}), grey, afterSize);
}
