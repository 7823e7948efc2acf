import { parentPort } from 'node:worker_threads';
// Loaded here, not on the main thread: libvips and sharp's JavaScript take some 100 ms of a core.
// Should it fail to load, the worker fails to start and the main thread encodes (and reports it).
import sharp from 'sharp';
import type { EncoderReply, EncoderRequest } from './png-encoder.ts';
import { encodePng } from './png-encoding.ts';

// The worker of WorkerPngEncoder (png-encoder.ts): it turns grabs (in shared memory) into PNGs.

if (!parentPort) throw new Error('png-encode-worker.ts runs as a worker thread of WorkerPngEncoder.');
const port = parentPort;
/** Taken while a job uses it, so that jobs under way at once never share it. */
let spareRgb: Buffer | undefined;

port.on('message', (request: EncoderRequest) => {
  void encode(request).then(
    (reply) => port.postMessage(reply, reply.kind === 'encoded' ? [reply.image.buffer as ArrayBuffer] : []),
    // encode() catches everything; this is for a failure to post.
    () => undefined,
  );
});

async function encode(request: EncoderRequest): Promise<EncoderReply> {
  try {
    const spare = spareRgb;
    spareRgb = undefined;
    const { image, rgb } = await encodePng(sharp, request.job, spare);
    spareRgb = rgb;
    // A copy of our own to transfer: sharp's buffer cannot be handed over, and the main thread then receives it without copying.
    const own = new Uint8Array(image.byteLength);
    own.set(image);
    return { id: request.id, kind: 'encoded', image: own };
  } catch (error) {
    return { id: request.id, kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}
