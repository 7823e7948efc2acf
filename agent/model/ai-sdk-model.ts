import { generateText, jsonSchema, tool, type LanguageModel, type ModelMessage as AiModelMessage } from 'ai';
import type { Model, ModelMessage, ModelReply, ModelRequest } from '../ports.ts';
import { COMPUTER_USE_FUNCTION_NAME, computerUseParameters, computerUseToolDescription } from '../qwen/computer-use-tool.ts';
import { EndpointError, explainEndpointError } from './endpoint-errors.ts';

export type AiSdkModelOptions = {
  /** Shown in messages and traces, e.g. `ollama:qwen3-vl:8b`. */
  readonly name: string;
  readonly model: LanguageModel;
  /** For error messages only (e.g. to spot a base URL without `/v1`). */
  readonly baseURL?: string;
  /** Longest a request may take, retries included. */
  readonly timeoutMs?: number;
  /** Retries of 429 and 5xx answers, with the AI SDK's exponential back-off (bounded). */
  readonly maxRetries?: number;
  /** Also offer the tool through the API's native `tools` field (off: the text protocol works everywhere). */
  readonly nativeTools?: boolean;
};

/** The `Model` port over any AI SDK language model. It returns raw text; parsing is not its job. */
export class AiSdkModel implements Model {
  readonly name: string;
  constructor(private readonly options: AiSdkModelOptions) {
    this.name = options.name;
  }

  async complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 120_000);
    const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const result = await generateText({
        model: this.options.model,
        system: request.system,
        messages: request.messages.map(toAiMessage),
        temperature: 0,
        maxRetries: this.options.maxRetries ?? 3,
        abortSignal,
        ...(this.options.nativeTools
          ? { tools: { [COMPUTER_USE_FUNCTION_NAME]: tool({ description: computerUseToolDescription, inputSchema: jsonSchema(computerUseParameters as never) }) } }
          : {}),
      });
      return {
        text: result.text,
        toolCalls: result.toolCalls.map((call) => ({ name: call.toolName, arguments: call.input })),
        usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens },
        modelId: result.response.modelId,
      };
    } catch (error) {
      if (timeout.aborted && !signal?.aborted) {
        throw new EndpointError(
          'ENDPOINT_TIMEOUT',
          `The model${this.options.baseURL ? ` at ${this.options.baseURL}` : ''} did not answer within ${Math.round((this.options.timeoutMs ?? 120_000) / 1000)} s; raise the time-out or check the server's load.`,
          { cause: error },
        );
      }
      if (signal?.aborted) throw error;
      throw explainEndpointError(error, { model: this.name, ...(this.options.baseURL ? { baseURL: this.options.baseURL } : {}) });
    }
  }
}

function toAiMessage(message: ModelMessage): AiModelMessage {
  if (message.role === 'assistant') return { role: 'assistant', content: message.content };
  return {
    role: 'user',
    content: message.content.map((part) => (part.type === 'text' ? { type: 'text' as const, text: part.text } : { type: 'image' as const, image: part.image, mediaType: part.mediaType })),
  };
}
