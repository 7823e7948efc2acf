import { Worker } from 'node:worker_threads';
import { bgraSpan, checkBgra } from './bgra.ts';
import { encodePng, type PngJob, type Sharp } from './png-encoding.ts';

// Where screenshots are encoded. On a 2-core machine the second core is mostly idle while a run
// starts, and the main thread is not: loading sharp (~100 ms) and converting each 1920x1080 grab
// (~10 ms) go to a worker thread started with the desktop, and the main thread only copies the
// grab into shared memory. Where no worker starts (an Electron archive, a sandbox, sharp missing)
// the main thread encodes, exactly as the worker would (png-encoding.ts).

export type { PngJob } from './png-encoding.ts';

/** Turns a grab into PNG bytes. */
export type PngEncoder = {
  encode(job: PngJob): Promise<Uint8Array>;
};

/** A job for the worker: the pixels are a view on shared memory. */
export type EncoderRequest = { readonly id: number; readonly job: PngJob };
export type EncoderReply =
  | { readonly id: number; readonly kind: 'encoded'; readonly image: Uint8Array }
  | { readonly id: number; readonly kind: 'failed'; readonly message: string };

/** Encodes on the calling thread; sharp loads on the first job, or at `preload`. */
export class InThreadPngEncoder implements PngEncoder {
  private sharp: Promise<Sharp> | undefined;
  /**
   * The RGB buffer of the last job, reused by the next one of the same size: a fresh 6 MB
   * (1920x1080) buffer each time costs its page faults and collections. Taken while in use, so
   * overlapping jobs never share it.
   */
  private spareRgb: Buffer | undefined;

  /** Starts loading sharp (tens of milliseconds) while the caller waits on other things. */
  preload(): void {
    this.load().catch(() => undefined);
  }

  async encode(job: PngJob): Promise<Uint8Array> {
    // A failure to load sharp is the first encode's to report.
    const sharp = await this.load();
    const spare = this.spareRgb;
    this.spareRgb = undefined;
    const { image, rgb } = await encodePng(sharp, job, spare);
    this.spareRgb = rgb;
    return new Uint8Array(image.buffer, image.byteOffset, image.byteLength);
  }

  private load(): Promise<Sharp> {
    this.sharp ??= import('sharp').then((module) => module.default);
    return this.sharp;
  }
}

type Pending = {
  readonly job: PngJob;
  readonly shared: SharedArrayBuffer;
  readonly resolve: (image: Uint8Array) => void;
  readonly reject: (error: Error) => void;
};

export type WorkerPngEncoderOptions = {
  /** The worker's script (default: png-encode-worker beside this file). */
  readonly script?: URL;
  /** Encodes once the worker is gone or never started (default: a fresh InThreadPngEncoder). */
  readonly fallback?: () => InThreadPngEncoder;
};

/**
 * Encodes in a worker thread, started at construction. Jobs sent before it has loaded sharp wait
 * in its queue. If it cannot start or dies, the jobs it held and every later one are encoded on
 * this thread instead, so a capture never fails for want of the worker. It does not keep the
 * process alive while idle.
 */
export class WorkerPngEncoder implements PngEncoder {
  private worker: Worker | undefined;
  private inThread: InThreadPngEncoder | undefined;
  private readonly makeFallback: () => InThreadPngEncoder;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Shared memory of a finished job, for the next grab to be copied into. */
  private spareShared: SharedArrayBuffer | undefined;

  constructor(options: WorkerPngEncoderOptions = {}) {
    this.makeFallback = options.fallback ?? (() => new InThreadPngEncoder());
    try {
      this.worker = startWorker(options.script ?? defaultScript());
    } catch {
      this.fallBack();
      return;
    }
    this.worker.unref();
    this.worker.on('message', (reply: EncoderReply) => this.settle(reply));
    this.worker.once('error', () => this.fallBack());
    this.worker.once('exit', () => this.fallBack());
  }

  /** True while jobs go to the worker; false once they are encoded on this thread. */
  get usesWorker(): boolean {
    return this.worker !== undefined;
  }

  async encode(job: PngJob): Promise<Uint8Array> {
    // The same RangeError as on this thread, before anything is copied.
    checkBgra(job.pixels);
    const worker = this.worker;
    if (!worker) return this.fallBack().encode(job);
    const span = bgraSpan(job.pixels);
    const spare = this.spareShared;
    const shared = spare && spare.byteLength >= span ? spare : new SharedArrayBuffer(span);
    if (shared === spare) this.spareShared = undefined;
    const data = new Uint8Array(shared, 0, span);
    data.set(job.pixels.data.subarray(0, span));
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { job, shared, resolve, reject });
      // A job under way keeps the process alive until its image is back.
      if (this.pending.size === 1) worker.ref();
      const request: EncoderRequest = { id, job: { ...job, pixels: { data, width: job.pixels.width, height: job.pixels.height, byteWidth: job.pixels.byteWidth } } };
      worker.postMessage(request);
    });
  }

  /** Stops the worker; later jobs are encoded on this thread. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.fallBack();
    await worker?.terminate();
  }

  private settle(reply: EncoderReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ((this.spareShared?.byteLength ?? 0) < pending.shared.byteLength) this.spareShared = pending.shared;
    if (reply.kind === 'encoded') pending.resolve(reply.image);
    else pending.reject(new Error(reply.message));
  }

  /** From now on this thread encodes, starting with the jobs the worker still held. */
  private fallBack(): InThreadPngEncoder {
    if (!this.inThread) {
      this.inThread = this.makeFallback();
      this.inThread.preload();
    }
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      worker.removeAllListeners('message');
      void worker.terminate().catch(() => undefined);
    }
    const held = [...this.pending.values()];
    this.pending.clear();
    for (const { job, resolve, reject } of held) this.inThread.encode(job).then(resolve, reject);
    return this.inThread;
  }
}

let processEncoder: PngEncoder | undefined;

/**
 * The process's encoder, shared by every desktop it opens: a worker, started by the first call
 * (openDesktop makes it first thing, so sharp loads while the desktop opens).
 */
export function backgroundPngEncoder(): PngEncoder {
  processEncoder ??= new WorkerPngEncoder();
  return processEncoder;
}

function defaultScript(): URL {
  // Built, this file is png-encoder.js beside png-encode-worker.js; from the sources, both are .ts.
  return new URL(import.meta.url.endsWith('.ts') ? './png-encode-worker.ts' : './png-encode-worker.js', import.meta.url);
}

function startWorker(script: URL): Worker {
  if (!script.pathname.endsWith('.ts')) return new Worker(script);
  // From the sources (tsx, vitest) the worker registers tsx itself first: loaders registered at
  // run time do not reach new threads on Node 20. Without tsx the worker fails and the fallback encodes.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = "const { workerData } = require('node:worker_threads'); import(workerData.tsx).then(({ register }) => { register(); return import(workerData.script); });";
  return new Worker(boot, { eval: true, workerData: { tsx, script: script.href } });
}
