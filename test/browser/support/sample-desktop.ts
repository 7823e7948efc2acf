import sharp from 'sharp';
import type { CaptureOptions, Screenshot } from '../../../agent/ports.ts';
import type { DisplayGeometry } from '../../../agent/geometry.ts';
import { FixtureScreen } from '../../../agent/testing/fakes.ts';

/** A rectangle in the display's input coordinates. */
export type InputRect = { readonly x: number; readonly y: number; readonly width: number; readonly height: number };

export type SampleDesktop = {
  /** The desktop drawn at the display's pixel size. */
  readonly svg: string;
  /** Where things are, in input coordinates: what a model would find in the screenshot. */
  readonly targets: { readonly save: InputRect; readonly send: InputRect; readonly text: InputRect; readonly open: InputRect };
};

/**
 * A text editor on a desktop, laid out in proportion to the display, so that the same screen can
 * be drawn for a 1x, a Retina (input in points) and a 2x X11 display (input in pixels).
 */
export function sampleDesktop(display: DisplayGeometry): SampleDesktop {
  const { width: W, height: H } = display.bounds;
  const u = W / 1440;
  const r = (value: number) => Math.round(value * u);
  const editor = { x: r(220), y: r(110), width: r(1000), height: r(640) };
  const toolbarY = editor.y + r(44);
  const button = (x: number, label: string, width = 96) => ({ x: editor.x + r(x), y: toolbarY + r(10), width: r(width), height: r(34), label });
  const open = button(16, 'Open');
  const save = button(124, 'Save');
  const send = button(232, 'Send', 104);
  const text = { x: editor.x + r(16), y: toolbarY + r(62), width: editor.width - r(32), height: editor.height - r(130) };
  const font = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
  const buttonSvg = (b: typeof save, fill: string, ink: string) =>
    `<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="${r(6)}" fill="${fill}" stroke="#9aa3ad" stroke-width="${Math.max(1, r(1))}"/>` +
    `<text x="${b.x + b.width / 2}" y="${b.y + b.height / 2 + r(6)}" font-family="${font}" font-size="${r(16)}" text-anchor="middle" fill="${ink}">${b.label}</text>`;
  const lines = ['Shopping list', '- oat milk', '- coffee beans', '- 2 lemons', '', 'Call the plumber on Thursday.'];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${display.pixelSize.width}" height="${display.pixelSize.height}" viewBox="0 0 ${W} ${H}">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#23395b"/><stop offset="1" stop-color="#3e7c8c"/></linearGradient></defs>
  <rect width="${W}" height="${H}" fill="url(#sky)"/>
  <rect width="${W}" height="${r(30)}" fill="#101418"/>
  <text x="${r(14)}" y="${r(20)}" font-family="${font}" font-size="${r(14)}" fill="#e8ecef">Activities</text>
  <text x="${W / 2}" y="${r(20)}" font-family="${font}" font-size="${r(14)}" fill="#e8ecef" text-anchor="middle">Tue 10:42</text>
  <rect x="${editor.x + r(6)}" y="${editor.y + r(8)}" width="${editor.width}" height="${editor.height}" rx="${r(10)}" fill="#000" opacity="0.25"/>
  <rect x="${editor.x}" y="${editor.y}" width="${editor.width}" height="${editor.height}" rx="${r(10)}" fill="#fbfbfc"/>
  <rect x="${editor.x}" y="${editor.y}" width="${editor.width}" height="${r(44)}" rx="${r(10)}" fill="#e6e9ed"/>
  <text x="${editor.x + editor.width / 2}" y="${editor.y + r(28)}" font-family="${font}" font-size="${r(15)}" font-weight="bold" fill="#2b3138" text-anchor="middle">notes.txt — Text Editor</text>
  <circle cx="${editor.x + editor.width - r(24)}" cy="${editor.y + r(22)}" r="${r(8)}" fill="#e0575b"/>
  ${buttonSvg(open, '#ffffff', '#1b1f24')}
  ${buttonSvg(save, '#ffffff', '#1b1f24')}
  ${buttonSvg(send, '#1f6feb', '#ffffff')}
  <rect x="${text.x}" y="${text.y}" width="${text.width}" height="${text.height}" fill="#ffffff" stroke="#c9ced5" stroke-width="${Math.max(1, r(1))}"/>
  ${lines.map((line, index) => `<text x="${text.x + r(14)}" y="${text.y + r(30) + index * r(26)}" font-family="${font}" font-size="${r(17)}" fill="#1b1f24">${line}</text>`).join('\n  ')}
</svg>`;
  const rect = (b: { x: number; y: number; width: number; height: number }): InputRect => ({ x: display.bounds.x + b.x, y: display.bounds.y + b.y, width: b.width, height: b.height });
  return { svg, targets: { open: rect(open), save: rect(save), send: rect(send), text: rect(text) } };
}

/** The sample desktop at a size, as PNG bytes. */
export async function renderDesktop(desktop: SampleDesktop, size: { width: number; height: number }): Promise<Buffer> {
  return sharp(Buffer.from(desktop.svg)).resize(size.width, size.height, { fit: 'fill' }).png({ compressionLevel: 2 }).toBuffer();
}

/** FixtureScreen (agent/testing) showing the sample desktop, resized as the real screen port does. */
export class SampleScreen extends FixtureScreen {
  readonly desktop: SampleDesktop;
  private readonly images = new Map<string, Promise<Buffer>>();

  constructor(display: DisplayGeometry) {
    super(display);
    this.desktop = sampleDesktop(display);
  }

  override async capture(options: CaptureOptions): Promise<Screenshot> {
    const shot = await super.capture(options);
    const key = `${shot.size.width}x${shot.size.height}`;
    if (!this.images.has(key)) this.images.set(key, renderDesktop(this.desktop, shot.size));
    const png = await this.images.get(key)!;
    return { ...shot, image: new Uint8Array(png.buffer, png.byteOffset, png.byteLength) };
  }
}
