import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DisplayGeometry } from '../agent/geometry.ts';
import type { RawPixels } from './bgra.ts';
import type { AreaGrabber } from './grab-screen.ts';
import { programRunner, type RunProgram } from './run-program.ts';

// libnut grabs the main display only on macOS and Windows. The system's own tools grab any other
// one (`screencapture` on macOS, .NET's CopyFromScreen through PowerShell on Windows); both write a
// PNG file, which is read back and turned into the BGRA rows every other grab gives, so the
// encoder, the fingerprint and the size checks treat it like a libnut grab.

/** The program that writes a PNG of `area` to `file`. */
export type AreaGrabCommand = (area: DisplayGeometry, file: string) => { readonly command: string; readonly args: readonly string[] };

export type ProgramAreaGrabberOptions = {
  readonly command: AreaGrabCommand;
  readonly run?: RunProgram;
  /** PNG bytes to BGRA rows (default: sharp). */
  readonly decode?: (png: Uint8Array) => Promise<RawPixels>;
};

export class ProgramAreaGrabber implements AreaGrabber {
  private readonly run: RunProgram;
  private readonly decode: (png: Uint8Array) => Promise<RawPixels>;

  constructor(private readonly options: ProgramAreaGrabberOptions) {
    this.run = options.run ?? programRunner();
    this.decode = options.decode ?? bgraOfPng;
  }

  async grab(area: DisplayGeometry, signal?: AbortSignal): Promise<RawPixels> {
    // A folder of its own: the file name is then never guessable, and nothing else is removed.
    const dir = await mkdtemp(path.join(tmpdir(), 'deskpilot-grab-'));
    try {
      const file = path.join(dir, 'area.png');
      const { command, args } = this.options.command(area, file);
      await this.run(command, args, signal);
      const png = await readFile(file).catch((error: unknown) => {
        throw new Error(`${command} exited without writing the screenshot of display ${area.id} (${String((error as Error).message)}); on macOS, allow screen recording for this terminal or app.`, { cause: error });
      });
      return await this.decode(png);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** A PNG as BGRA rows (alpha forced opaque): the layout libnut's grabs have. */
export async function bgraOfPng(png: Uint8Array): Promise<RawPixels> {
  const { default: sharp } = await import('sharp');
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let offset = 0; offset < data.length; offset += 4) {
    const red = data[offset]!;
    data[offset] = data[offset + 2]!;
    data[offset + 2] = red;
  }
  return { data, width: info.width, height: info.height, byteWidth: info.width * 4 };
}
