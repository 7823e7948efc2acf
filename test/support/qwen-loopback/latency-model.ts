import { createHash } from 'node:crypto';
import type { ChatBody, DecodedChatRequest } from './decode-request.ts';

// What a real server spends on a request, as far as the prompt is concerned: a fixed part, plus
// prefill for every input token it does not already hold in its prefix cache. vLLM and hosted
// providers cache by exact prefix (the same tokens in the same order from the start), so a request
// that begins with the previous one recomputes only its new end; one that changes near its start
// recomputes nearly all of it.

export type LatencyModel = {
  /** Paid by every request (network, scheduling, writing the reply). */
  readonly fixedMs: number;
  /** Prefill per 1,000 input tokens not found in the cache. */
  readonly prefillMsPer1000: number;
  /** Prompts remembered (default 16). */
  readonly cacheEntries?: number;
};

/** One piece of a prompt in order: a text part, an image, or where a message begins. */
export type PromptBlock = { readonly key: string; readonly tokens: number; readonly text?: string };

const TEXT_CHARS_PER_TOKEN = 4;

/** The prompt as a sequence of blocks, with the same token estimate the usage reports (4 characters a token, 32x32 pixels an image token). */
export function promptBlocks(body: ChatBody, decoded: DecodedChatRequest): PromptBlock[] {
  const blocks: PromptBlock[] = [];
  let imageIndex = 0;
  for (const message of body.messages) {
    blocks.push({ key: `<${message.role}>`, tokens: 0 });
    const content = message.content;
    const parts = typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? content : [];
    for (const part of parts) {
      if (part.type === 'text' && typeof part.text === 'string') {
        blocks.push({ key: `t:${part.text}`, tokens: Math.ceil(part.text.length / TEXT_CHARS_PER_TOKEN), text: part.text });
      } else if (part.type === 'image_url' && part.image_url !== undefined) {
        const url = typeof part.image_url === 'string' ? part.image_url : part.image_url.url;
        const image = decoded.images[imageIndex++];
        const tokens = image?.width && image.height ? Math.ceil(image.width / 32) * Math.ceil(image.height / 32) : 0;
        blocks.push({ key: `i:${createHash('sha1').update(url).digest('hex')}`, tokens });
      }
    }
  }
  return blocks;
}

export const totalTokens = (blocks: readonly PromptBlock[]) => blocks.reduce((sum, block) => sum + block.tokens, 0);

/** Tokens at the start of `next` that `previous` has too, in the same order. A text that differs part-way shares its common beginning. */
export function sharedPrefixTokens(previous: readonly PromptBlock[], next: readonly PromptBlock[]): number {
  let shared = 0;
  for (let index = 0; index < Math.min(previous.length, next.length); index++) {
    const a = previous[index]!;
    const b = next[index]!;
    if (a.key === b.key) {
      shared += b.tokens;
      continue;
    }
    if (a.text !== undefined && b.text !== undefined) {
      let common = 0;
      while (common < a.text.length && common < b.text.length && a.text[common] === b.text[common]) common++;
      shared += Math.floor(common / TEXT_CHARS_PER_TOKEN);
    }
    break;
  }
  return shared;
}

/** A prefix cache over recent prompts: how much of a new prompt it holds, and the delay that leaves. */
export class PrefixCache {
  private readonly entries: PromptBlock[][] = [];
  constructor(private readonly model: LatencyModel) {}

  /** Tokens of `blocks` the cache holds (the longest prefix shared with a remembered prompt). */
  cachedTokens(blocks: readonly PromptBlock[]): number {
    return this.entries.reduce((best, entry) => Math.max(best, sharedPrefixTokens(entry, blocks)), 0);
  }

  delayMs(blocks: readonly PromptBlock[]): number {
    const uncached = Math.max(0, totalTokens(blocks) - this.cachedTokens(blocks));
    return this.model.fixedMs + (this.model.prefillMsPer1000 * uncached) / 1000;
  }

  remember(blocks: readonly PromptBlock[]): void {
    this.entries.push([...blocks]);
    const limit = this.model.cacheEntries ?? 16;
    if (this.entries.length > limit) this.entries.splice(0, this.entries.length - limit);
  }
}
