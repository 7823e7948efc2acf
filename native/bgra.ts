// Screen grabs come as BGRA rows, possibly padded, with an alpha byte that is not alpha (mostly 0
// on X11): encoded as is, the image would be transparent and blue where it should be red.

export type RawPixels = {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Bytes per row, at least width * 4. */
  readonly byteWidth: number;
};

/** Packed RGB (3 bytes per pixel, no padding) from BGRA rows; the fourth byte is dropped. */
export function bgraToRgb(pixels: RawPixels): Buffer {
  const { data, width, height, byteWidth } = pixels;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`Invalid image size ${width}x${height}.`);
  }
  if (byteWidth < width * 4 || data.length < byteWidth * (height - 1) + width * 4) {
    throw new RangeError(`A ${width}x${height} BGRA image with rows of ${byteWidth} bytes needs more than ${data.length} bytes.`);
  }
  const rgb = Buffer.allocUnsafe(width * height * 3);
  let out = 0;
  for (let row = 0; row < height; row++) {
    let at = row * byteWidth;
    const end = at + width * 4;
    for (; at < end; at += 4) {
      rgb[out++] = data[at + 2] as number;
      rgb[out++] = data[at + 1] as number;
      rgb[out++] = data[at] as number;
    }
  }
  return rgb;
}

/**
 * A rectangle of a grab, as a view on the same bytes (rows keep their stride): cutting one monitor
 * out of a root-window grab costs nothing before the conversion, which then touches only its pixels.
 */
export function cropPixels(pixels: RawPixels, rect: { readonly x: number; readonly y: number; readonly width: number; readonly height: number }): RawPixels {
  const { x, y, width, height } = rect;
  if (!(Number.isInteger(x) && Number.isInteger(y) && Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`Invalid crop ${width}x${height}+${x}+${y}.`);
  }
  if (x < 0 || y < 0 || x + width > pixels.width || y + height > pixels.height) {
    throw new RangeError(`The crop ${width}x${height}+${x}+${y} does not lie inside the ${pixels.width}x${pixels.height} grab.`);
  }
  const start = y * pixels.byteWidth + x * 4;
  return { data: pixels.data.subarray(start), width, height, byteWidth: pixels.byteWidth };
}
