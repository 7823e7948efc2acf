import type { LanguageModelV3CallOptions, LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { MockLanguageModelV3 } from 'ai/test';
import { AiSdkModel } from '../model/ai-sdk-model.ts';

/** A reply as an endpoint sends it: text, reasoning the server parsed out, and why it stopped. */
export type ShapedReply = { readonly text: string; readonly reasoning?: string; readonly finishReason?: 'stop' | 'length' };

export type ScriptedReply = string | ShapedReply | ((call: LanguageModelV3CallOptions, index: number) => string | ShapedReply) | Error;

/**
 * The real `AiSdkModel` over the AI SDK's mock language model: replies come from a script, and every
 * call the mock received is kept for assertions (prompt, images), as the AI SDK's own tests do.
 */
export function mockQwenModel(script: ScriptedReply[]) {
  let index = 0;
  const languageModel = new MockLanguageModelV3({
    doGenerate: async (call): Promise<LanguageModelV3GenerateResult> => {
      const entry = script[Math.min(index, script.length - 1)];
      const current = index++;
      if (entry === undefined) throw new Error('The script is empty.');
      if (entry instanceof Error) throw entry;
      const produced = typeof entry === 'function' ? entry(call, current) : entry;
      const shaped: ShapedReply = typeof produced === 'string' ? { text: produced } : produced;
      const finish = shaped.finishReason ?? 'stop';
      return {
        content: [...(shaped.reasoning ? [{ type: 'reasoning' as const, text: shaped.reasoning }] : []), { type: 'text', text: shaped.text }],
        finishReason: { unified: finish, raw: finish },
        usage: {
          inputTokens: { total: 1300, noCache: 1300, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: 40, text: 40, reasoning: undefined },
        },
        warnings: [],
      };
    },
  });
  const model = new AiSdkModel({ name: 'mock:qwen3-vl', model: languageModel, maxRetries: 0 });
  return { model, languageModel, calls: () => languageModel.doGenerateCalls };
}

/** A Qwen3-VL style reply with one `computer_use` call. */
export function qwenReply(args: Record<string, unknown>, thought = 'Next step.'): string {
  return `Thought: ${thought}\nAction: "${String(args.action)}"\n<tool_call>\n${JSON.stringify({ name: 'computer_use', arguments: args })}\n</tool_call>`;
}
