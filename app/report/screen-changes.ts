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

/** A picture as a small greyscale copy, `width` pixels wide. */
export async function greyOf(image: Uint8Array, width: number, height: number): Promise<GreyImage> {
  const { data, info } = await sharp(image).resize({ width, height, fit: 'fill' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height) };
}

/** Changed regions between two encoded screenshots, in the frame of `afterSize` (the after picture as recorded). */
export async function screenChanges(before: Uint8Array, after: Uint8Array, afterSize: { width: number; height: number }): Promise<ChangeRegion[]> {
  const width = Math.min(320, afterSize.width);
  const height = Math.max(1, Math.round((afterSize.height / afterSize.width) * width));
  const regions = changedRegions(await greyOf(before, width, height), await greyOf(after, width, height));
  const scaleX = afterSize.width / width;
  const scaleY = afterSize.height / height;
  return regions.map((region) => ({ x: region.x * scaleX, y: region.y * scaleY, width: region.width * scaleX, height: region.height * scaleY }));
}
