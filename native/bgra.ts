// Screen grabs come as BGRA rows, possibly padded, with an alpha byte that is not alpha (mostly 0
// on X11): encoded as is, the image would be transparent and blue where it should be red.

export type RawPixels = {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Bytes per row, at least width * 4. */
  readonly byteWidth: number;
};

/**
 * Packed RGB (3 bytes per pixel, no padding) from BGRA rows; the fourth byte is dropped. Written
 * into `into` when it has exactly the right size (a buffer kept from the last capture).
 */
export function bgraToRgb(pixels: RawPixels, into?: Buffer): Buffer {
  checkBgra(pixels);
  const { data, width, height, byteWidth } = pixels;
  const rgb = into?.length === width * height * 3 ? into : Buffer.allocUnsafe(width * height * 3);
  // Word at a time where the rows line up on 4 bytes in and out (every common screen width):
  // byte by byte, the conversion cost more than sharp's resize.
  if (width % 4 === 0 && byteWidth % 4 === 0 && data.byteOffset % 4 === 0 && rgb.byteOffset % 4 === 0) {
    convertByWords(data, width, height, byteWidth, rgb);
  } else {
    convertByBytes(data, width, height, byteWidth, rgb);
  }
  return rgb;
}

/** Throws a RangeError unless the pixels are a whole, positive size with rows that fit their bytes. */
export function checkBgra(pixels: RawPixels): void {
  const { data, width, height, byteWidth } = pixels;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`Invalid image size ${width}x${height}.`);
  }
  if (byteWidth < width * 4 || data.length < bgraSpan(pixels)) {
    throw new RangeError(`A ${width}x${height} BGRA image with rows of ${byteWidth} bytes needs more than ${data.length} bytes.`);
  }
}

/** How many bytes of `data` the pixels use: every row but the last padded to `byteWidth`. */
export function bgraSpan(pixels: Pick<RawPixels, 'width' | 'height' | 'byteWidth'>): number {
  return pixels.byteWidth * (pixels.height - 1) + pixels.width * 4;
}

function convertByBytes(data: Uint8Array, width: number, height: number, byteWidth: number, rgb: Buffer): void {
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
}

/**
 * Four pixels (four little-endian words B G R x) become three words R G B R | G B R G | B R G B.
 * Little-endian only, as every machine nut-js runs on.
 */
function convertByWords(data: Uint8Array, width: number, height: number, byteWidth: number, rgb: Buffer): void {
  const input = new Uint32Array(data.buffer, data.byteOffset, (byteWidth * (height - 1) + width * 4) / 4);
  const output = new Uint32Array(rgb.buffer, rgb.byteOffset, (width * height * 3) / 4);
  const rowWords = byteWidth / 4;
  let out = 0;
  for (let row = 0; row < height; row++) {
    let at = row * rowWords;
    const end = at + width;
    for (; at < end; at += 4) {
      const p0 = input[at] as number;
      const p1 = input[at + 1] as number;
      const p2 = input[at + 2] as number;
      const p3 = input[at + 3] as number;
      output[out++] = ((p0 >>> 16) & 0xff) | (p0 & 0xff00) | ((p0 & 0xff) << 16) | (((p1 >>> 16) & 0xff) << 24);
      output[out++] = ((p1 >>> 8) & 0xff) | ((p1 & 0xff) << 8) | (p2 & 0xff0000) | ((p2 & 0xff00) << 16);
      output[out++] = (p2 & 0xff) | ((p3 >>> 8) & 0xff00) | ((p3 & 0xff00) << 8) | ((p3 & 0xff) << 24);
    }
  }
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
